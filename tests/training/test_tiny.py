"""The demo's tiny model is a standard transformers model: saved, reloaded, same tokens."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from tunix_rt.cli.demo import DemoPlan
from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.traces.generators import reasoning_mix
from tunix_rt.training import tiny


def test_the_demo_preset_reloads_with_from_pretrained_and_generates_the_same_tokens(
    tmp_path: Path,
) -> None:
    plan = DemoPlan()
    traces = reasoning_mix.generate(200, seed=1, **plan.knobs)
    texts = [f"{t.prompt}\n{t.final_answer}" for t in traces]
    kw = {"template": ChatTemplate.PLAIN, "style": TraceStyle.TAGGED}
    tok = tiny.build_tokenizer(texts, words=True, **kw)
    torch.manual_seed(0)
    model = tiny.build_model(
        plan.train["model"],
        len(tok),
        plan.train["model_overrides"],
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    model.eval()
    prompt = tok([traces[0].prompt], return_tensors="pt", add_special_tokens=False)
    greedy = {"max_new_tokens": 12, "do_sample": False, "min_new_tokens": 12}
    before = model.generate(**prompt, **greedy)

    model.save_pretrained(tmp_path / "m")
    tok.save_pretrained(tmp_path / "m")
    again = AutoModelForCausalLM.from_pretrained(tmp_path / "m")
    tok2 = AutoTokenizer.from_pretrained(tmp_path / "m")
    again.eval()
    after = again.generate(**tok2([traces[0].prompt], return_tensors="pt"), **greedy)

    assert type(again).__name__ == "LlamaForCausalLM"
    assert again.config.num_hidden_layers == 3
    assert before.shape[1] == prompt["input_ids"].shape[1] + 12
    assert torch.equal(before, after)
