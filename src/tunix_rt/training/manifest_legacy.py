"""The two ``run_manifest.json`` shapes written before ``RunManifest`` (up to 9be08a2), mapped once.

Run directories and registry versions made then still exist. The torch recipe wrote nearly
today's flat keys (``written_at`` and ``device`` aside); the tunix backend nested them
(``code``, ``model``, ``data``, ``final``) and named the dataset hash ``dataset_sha256``. None of
those keys is in today's shape, so their presence is what marks a legacy manifest.
"""

from __future__ import annotations

from typing import Any


def from_legacy(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` in today's keys (unchanged when it already is)."""
    out = dict(doc)
    config = out.get("config")
    if not isinstance(config, dict):
        config = {}
    out.setdefault("backend", config.get("backend", "torch"))
    out.setdefault("processes", config.get("processes", 1))
    _rename(out, "written_at", "started_at")
    _rename(out, "dataset_sha256", "data_sha256")
    _rename(out, "eval_dataset_sha256", "eval_data_sha256")
    if isinstance(out.get("device"), str):
        out.setdefault("devices", [out.pop("device")])
    if isinstance(out.get("code"), dict):
        out.setdefault("code_version", _code_version(out.pop("code")))
    if isinstance(out.get("libraries"), dict):
        # The tunix backend listed uninstalled libraries as null, and python beside them.
        libraries = {k: v for k, v in out["libraries"].items() if isinstance(v, str)}
        if isinstance(out.get("python"), str):
            libraries.setdefault("python", out.pop("python"))
        out["libraries"] = libraries
    _tunix_groups(out)
    return out


def _rename(doc: dict[str, Any], old: str, new: str) -> None:
    if old in doc:
        value = doc.pop(old)
        doc.setdefault(new, value)


def _code_version(code: dict[str, Any]) -> str | None:
    version, commit = code.get("tunix_rt"), code.get("git_commit")
    if not isinstance(version, str):
        return None
    return f"{version}+{commit[:7]}" if isinstance(commit, str) and commit else version


def _tunix_groups(doc: dict[str, Any]) -> None:
    """The tunix backend's ``model``, ``data`` and ``final`` groups as flat keys."""
    model = doc.pop("model", None)
    data = doc.pop("data", None)
    final = doc.pop("final", None)
    if isinstance(model, dict):
        doc.setdefault("model_source", model.get("source"))
        doc.setdefault("parameters", model.get("params"))
        doc.setdefault("trainable_parameters", model.get("trainable_params"))
    if isinstance(data, dict):
        doc.setdefault("train_examples", data.get("train_examples"))
        doc.setdefault("truncated_examples", data.get("truncated"))
        doc.setdefault("dropped_examples", data.get("dropped"))
        doc.setdefault("eval_examples", data.get("eval_examples"))
    if isinstance(final, dict):
        doc.setdefault("final_dir", final.get("dir"))
    if isinstance(model, dict) and isinstance(data, dict) and "tunix" not in doc:
        doc["tunix"] = {"family": model.get("family"), "batch_length": data.get("batch_length")}
