"""GRPO's advantages and loss against hand-computed values on a two-completion toy."""

import math

import pytest
import torch

from tunix_rt.training.rl.loss import STD_EPS, advantages, policy_loss

# One group of G = 2: completion 1 has two tokens, completion 2 one (its second is padding).
MASK = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
OLD = torch.zeros(2, 2)
# Ratios exp(logp - old): 1.1 and 0.7 for completion 1, 1.3 for completion 2 (5.0 is padding).
LOGPS = torch.log(torch.tensor([[1.1, 0.7], [1.3, 5.0]]))
ADV = torch.tensor([0.5, -0.5])
# Per-token -min(r A, clip(r, 0.8, 1.2) A): -0.55, -min(0.35, 0.4) = -0.35; -min(-0.65, -0.6).
PER_TOKEN = [[-0.55, -0.35], [0.65]]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # grpo: mean per sequence, then over sequences.
        ("grpo", ((-0.55 - 0.35) / 2 + 0.65) / 2),
        # dr_grpo: token sum over B * max_completion_length (2 * 2).
        ("dr_grpo", (-0.55 - 0.35 + 0.65) / 4),
        # dapo: token sum over the batch's completion tokens (3).
        ("dapo", (-0.55 - 0.35 + 0.65) / 3),
    ],
)
def test_hand_computed_loss_matches(kind: str, expected: float) -> None:
    parts = policy_loss(
        LOGPS,
        OLD,
        ADV,
        MASK,
        kind=kind,
        epsilon=0.2,
        max_completion_length=2,  # type: ignore[arg-type]
    )
    assert float(parts.loss) == pytest.approx(expected, abs=1e-6)
    assert parts.kl is None
    assert parts.clip_region_mean == 0.0


def test_clip_metrics_count_the_clipped_tokens() -> None:
    adv = torch.tensor([-0.5, 0.5])  # now 0.7 < 0.8 with A < 0 and 1.3 > 1.2 with A > 0 clip
    parts = policy_loss(LOGPS, OLD, adv, MASK, kind="dapo", epsilon=0.2, max_completion_length=2)
    assert parts.clip_low_mean == pytest.approx(1 / 3)
    assert parts.clip_high_mean == pytest.approx(1 / 3)
    assert parts.clip_region_mean == pytest.approx(2 / 3)
    # -min(1.1*-0.5, 1.1*-0.5) = 0.55; -min(0.7*-0.5, 0.8*-0.5) = 0.4; -min(0.65, 0.6) = -0.6
    assert float(parts.loss) == pytest.approx((0.55 + 0.4 - 0.6) / 3)


def test_beta_adds_the_k3_kl_to_the_reference() -> None:
    ref = torch.zeros(2, 2)
    parts = policy_loss(
        LOGPS,
        OLD,
        ADV,
        MASK,
        kind="dapo",
        epsilon=0.2,
        beta=0.1,
        ref_logps=ref,
        max_completion_length=2,
    )
    kls = [math.exp(-math.log(r)) + math.log(r) - 1 for r in (1.1, 0.7, 1.3)]
    assert parts.kl == pytest.approx(sum(kls) / 3)
    expected = (-0.55 - 0.35 + 0.65 + 0.1 * sum(kls)) / 3
    assert float(parts.loss) == pytest.approx(expected, abs=1e-6)


def test_advantages_by_group_batch_and_none() -> None:
    r = torch.tensor([1.0, 0.0, 2.0, 2.0])  # group 1 spread, group 2 constant
    group_std = math.sqrt(0.5)  # unbiased std of (1, 0)
    a = advantages(r, 2, "group")
    assert a.advantages.tolist() == pytest.approx(
        [0.5 / (group_std + STD_EPS), -0.5 / (group_std + STD_EPS), 0.0, 0.0]
    )
    assert a.zero_std.tolist() == [False, False, True, True]
    batch_std = float(r.std())
    assert advantages(r, 2, "batch").advantages.tolist() == pytest.approx(
        [0.5 / (batch_std + STD_EPS), -0.5 / (batch_std + STD_EPS), 0.0, 0.0]
    )
    assert advantages(r, 2, "none").advantages.tolist() == pytest.approx([0.5, -0.5, 0.0, 0.0])


def test_a_constant_reward_gives_zero_std_everywhere_and_no_gradient() -> None:
    a = advantages(torch.full((6,), 0.7), 3, "group")
    assert bool(a.zero_std.all())
    logps = LOGPS.clone().requires_grad_(True)
    parts = policy_loss(
        logps,
        logps.detach(),
        a.advantages[:2],
        MASK,
        kind="grpo",
        epsilon=0.2,
        max_completion_length=2,
    )
    parts.loss.backward()  # type: ignore[no-untyped-call]
    assert logps.grad is not None
    assert float(logps.grad.abs().sum()) == 0.0
