"""The README's Python snippets run as written: top to bottom in one namespace, like notebook
cells (the README says so above its first snippet), in a scratch working directory."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_snippets(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


def test_the_extractor_finds_every_python_block():
    text = "a\n```python\nx = 1\n```\n```bash\nls\n```\n```python\ny = x\n```\n"
    assert python_snippets(text) == ["x = 1\n", "y = x\n"]


def test_readme_snippets_run_as_written(tmp_path, monkeypatch):
    pytest.importorskip("torch")  # the PyTorch snippet (the test extras install it)
    snippets = python_snippets(README.read_text(encoding="utf-8"))
    assert len(snippets) >= 6
    monkeypatch.chdir(tmp_path)  # snippets that save runs write here
    namespace = {"__name__": "__readme__"}
    for number, code in enumerate(snippets, start=1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                exec(compile(code, f"README.md python snippet {number}", "exec"), namespace)
            except Exception as exc:
                pytest.fail(f"README python snippet {number} fails: {exc!r}\n{code}")
    # and they did what they say
    assert namespace["w"].n_epochs == 20  # quickstart's 10 epochs + fit_epochs' 10
    assert namespace["td"].n_epochs == 3  # the batch-logged run, reloaded from runs/gratitude
    assert (tmp_path / "runs" / "gratitude" / "meta.json").is_file()
    assert namespace["tw"].n_epochs == 3
    assert namespace["lw"].n_epochs == 3  # the Lightning callback's map
    assert namespace["path"] == tmp_path / "data_map.html" and namespace["path"].stat().st_size
