"""The pytest configuration itself: warnings as errors must not break C extensions.

sentencepiece (pulled in by every ``AutoTokenizer``) creates SWIG helper types that CPython warns
about; escalated to an error, the import succeeds with NULL types and the process segfaults later
(at ``SentencePieceProcessor()`` or at interpreter exit). ``pyproject.toml`` ignores exactly those
warnings. This runs a fresh pytest, under the project's config, that imports sentencepiece first.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FRESH_TEST = """
def test_sentencepiece_under_warnings_as_errors():
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor()
    assert processor.GetPieceSize() == 0
"""


@pytest.mark.skipif(
    importlib.util.find_spec("sentencepiece") is None, reason="the train extra is not installed"
)
def test_sentencepiece_import_does_not_crash_pytest(tmp_path: Path) -> None:
    (tmp_path / "test_spm.py").write_text(FRESH_TEST)
    config = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *config]
    out = subprocess.run(
        [*command, str(tmp_path / "test_spm.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
