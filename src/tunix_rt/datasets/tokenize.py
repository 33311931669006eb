"""Tokenizers for the dataset preview: a model-free ``char`` tokenizer and local HF tokenizers.

Both return tokens with character offsets, so the preview can say which tokens carry loss and
whether a cut at ``max_seq_length`` falls inside the answer. The prompt and the completion are
tokenized separately, as training does (``training/data.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, special_tokens, style_tokens
from tunix_rt.errors import InvalidInput, Problem, Unavailable


@dataclass(frozen=True)
class Token:
    """One token: its text and its character span in the text it came from."""

    text: str
    start: int
    end: int


class PreviewTokenizer(Protocol):
    """What the preview needs from a tokenizer."""

    name: str

    def tokenize(self, text: str, *, prompt: bool) -> list[Token]: ...

    def warnings(self, template: ChatTemplate, style: TraceStyle) -> list[str]: ...


class CharTokenizer:
    """One token per character; template and style markers are single tokens."""

    name = "char"

    def __init__(self, template: ChatTemplate, style: TraceStyle) -> None:
        markers = {*special_tokens(template), *style_tokens(style)}
        self._markers = sorted(markers, key=len, reverse=True)

    def tokenize(self, text: str, *, prompt: bool) -> list[Token]:
        tokens: list[Token] = []
        pos = 0
        while pos < len(text):
            marker = next((m for m in self._markers if text.startswith(m, pos)), None)
            end = pos + len(marker) if marker else pos + 1
            tokens.append(Token(text[pos:end], pos, end))
            pos = end
        return tokens

    def warnings(self, template: ChatTemplate, style: TraceStyle) -> list[str]:
        return []


# Markers that identify a chat-template family inside a tokenizer's own chat template.
FAMILY_MARKERS = {
    ChatTemplate.GEMMA: "<start_of_turn>",
    ChatTemplate.CHATML: "<|im_start|>",
    ChatTemplate.LLAMA3: "<|start_header_id|>",
}


class HFTokenizer:
    """A local Hugging Face tokenizer directory (loaded offline, never downloaded)."""

    def __init__(self, directory: Path) -> None:
        try:
            from transformers import AutoTokenizer
        except ImportError as exc:  # the train extra is optional
            raise Unavailable(
                "transformers is not installed (pip install tunix-rt[train])"
            ) from exc
        if not directory.is_dir():
            raise InvalidInput(problems=[Problem("tokenizer", f"{directory} is not a directory")])
        try:
            self._tok: Any = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise InvalidInput(problems=[Problem("tokenizer", f"cannot load: {exc}")]) from None
        self.name = str(directory)

    def tokenize(self, text: str, *, prompt: bool) -> list[Token]:
        enc = self._tok(text, add_special_tokens=prompt, return_offsets_mapping=True)
        pieces = self._tok.convert_ids_to_tokens(enc["input_ids"])
        return [
            Token(str(piece), int(start), int(end))
            for piece, (start, end) in zip(pieces, enc["offset_mapping"], strict=True)
        ]

    def warnings(self, template: ChatTemplate, style: TraceStyle) -> list[str]:
        """Template/style mismatches between this tokenizer and the chosen rendering."""
        out = []
        for marker in [*special_tokens(template), *style_tokens(style)]:
            ids = self._tok(marker, add_special_tokens=False)["input_ids"]
            if len(ids) != 1:
                out.append(
                    f"template_mismatch: the tokenizer splits {marker} into {len(ids)} tokens"
                )
        own = getattr(self._tok, "chat_template", None)
        if isinstance(own, str):
            family = [t for t, m in FAMILY_MARKERS.items() if m in own]
            if family and template not in family:
                names = ", ".join(str(t) for t in family)
                out.append(f"template_mismatch: the tokenizer's own chat template is {names}")
        if template is ChatTemplate.PLAIN and self._tok.eos_token is None:
            out.append("template_mismatch: plain has no end marker and the tokenizer has no EOS")
        return out


def load_tokenizer(spec: str, template: ChatTemplate, style: TraceStyle) -> PreviewTokenizer:
    """``char`` or a local tokenizer directory."""
    if spec == "char":
        return CharTokenizer(template, style)
    return HFTokenizer(Path(spec))
