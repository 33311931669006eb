"""Tiny local models and tokenizers: random-weight presets and tokenizers trained on the data.

Nothing is downloaded. The tokenizer is saved and reloaded in the standard Hugging Face layout,
so a tiny run goes through the same loading code as a real checkpoint.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, end_of_turn, special_tokens
from tunix_rt.datasets.render import style_tokens as render_style_tokens
from tunix_rt.errors import InvalidInput

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel, PreTrainedTokenizerFast

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<s>", "</s>"
# The ``words`` tokenizer's pieces: a word with its leading space, or any other single character
# (so digits stay one token each). BPE merges only inside a piece.
WORD_PIECES = r" ?[A-Za-z]+|[^A-Za-z]"
# A word (or part of one) needs this many occurrences to become a token.
WORD_MIN_FREQUENCY = 100

# ~0.7-0.9M parameters at a ~100-symbol vocabulary: the size that learned multi-digit
# arithmetic in minutes on 2 CPU cores (shared/notes/learning-calibration.md).
_SHAPE: dict[str, Any] = {
    "hidden_size": 128,
    "intermediate_size": 256,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "max_position_embeddings": 2048,
    "tie_word_embeddings": True,
}
_PRESET_EXTRA: dict[str, dict[str, Any]] = {
    "tiny-llama": {},
    "tiny-qwen3": {"head_dim": 32},
    "tiny-gemma3": {
        "head_dim": 32,
        "query_pre_attn_scalar": 32,
        "sliding_window": 512,
    },
}


def eos_for(template: ChatTemplate) -> str:
    """The token that ends a completion: the template's end-of-turn marker, or ``</s>``."""
    return end_of_turn(template) or EOS


def build_tokenizer(
    texts: Iterable[str], *, template: ChatTemplate, style: TraceStyle, words: bool = False
) -> PreTrainedTokenizerFast:
    """A character-level tokenizer over printable ASCII plus every char in ``texts``.

    With ``words``, BPE merges trained on ``texts`` also make frequent words (with their leading
    space) single tokens; digits, spaces before them and punctuation stay one token per
    character, so arithmetic reads exactly as with the char tokenizer in about 30% fewer tokens
    on the demo's mix. Template markers are special tokens (single ids, dropped when decoding
    with ``skip_special_tokens``); style tags are ordinary single tokens so decoded text keeps
    them.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    markers = special_tokens(template)
    eos = eos_for(template)
    specials = list(dict.fromkeys([PAD, UNK, BOS, EOS, *markers]))
    tags = render_style_tokens(style)
    corpus = list(texts)
    chars: set[str] = set(string.printable)
    for text in corpus:
        chars.update(text)
    if words:
        tok = Tokenizer(models.BPE(unk_token=UNK))
        tok.pre_tokenizer = pre_tokenizers.Split(Regex(WORD_PIECES), behavior="isolated")
        trainer = trainers.BpeTrainer(
            vocab_size=1_000_000,  # bounded by the words' frequencies, not by a size
            min_frequency=WORD_MIN_FREQUENCY,
            special_tokens=specials,
            initial_alphabet=sorted(chars),
            show_progress=False,
        )
        tok.train_from_iterator(corpus, trainer)
    else:
        vocab = {tok: i for i, tok in enumerate([*specials, *sorted(chars)])}
        # BPE with no merges and no pre-tokenizer: exactly one token per character.
        tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=UNK))
    tok.decoder = decoders.Fuse()
    wrapped = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok,
        pad_token=PAD,
        unk_token=UNK,
        bos_token=BOS,
        eos_token=eos,
        additional_special_tokens=[t for t in markers if t != eos],
        padding_side="left",
    )
    if tags:
        wrapped.add_tokens(tags)
    return wrapped


def preset_config(
    preset: str, vocab_size: int, overrides: dict[str, Any] | None = None, **token_ids: int | None
) -> PretrainedConfig:
    """The transformers config of a preset; unknown override keys are refused by name."""
    from transformers import Gemma3TextConfig, LlamaConfig, Qwen3Config

    classes = {
        "tiny-llama": LlamaConfig,
        "tiny-qwen3": Qwen3Config,
        "tiny-gemma3": Gemma3TextConfig,
    }
    if preset not in classes:
        raise InvalidInput(f"model: unknown preset {preset!r}; presets: {', '.join(classes)}")
    cls = classes[preset]
    known = set(cls().to_dict())
    unknown = sorted(set(overrides or {}) - known)
    if unknown:
        raise InvalidInput(
            f"model_overrides: {', '.join(unknown)} not a {cls.__name__} setting", problems=[]
        )
    kwargs = {**_SHAPE, **_PRESET_EXTRA[preset], **(overrides or {})}
    kwargs.update({k: v for k, v in token_ids.items() if v is not None})
    try:
        config: PretrainedConfig = cls(vocab_size=vocab_size, **kwargs)
        return config
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"model_overrides: {exc}") from None


def build_model(
    preset: str,
    vocab_size: int,
    overrides: dict[str, Any] | None = None,
    *,
    pad_token_id: int | None = None,
    bos_token_id: int | None = None,
    eos_token_id: int | None = None,
) -> PreTrainedModel:
    """A randomly initialised causal LM of the preset (torch)."""
    from transformers import AutoModelForCausalLM

    config = preset_config(
        preset,
        vocab_size,
        overrides,
        pad_token_id=pad_token_id,
        bos_token_id=bos_token_id,
        eos_token_id=eos_token_id,
    )
    model: PreTrainedModel = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    if eos_token_id is not None:
        model.generation_config.eos_token_id = eos_token_id
        model.generation_config.pad_token_id = pad_token_id
    return model
