"""The Python entry points: ``import adqsp`` is light, every listed name resolves, and the README's example runs."""

import re
import subprocess
import sys
from pathlib import Path

import adqsp

README = Path(__file__).parents[1] / "README.md"


def test_every_entry_point_resolves_and_the_import_is_light():
    assert all(callable(getattr(adqsp, name)) or name == "LABEL_DOSES" for name in adqsp.__all__)
    code = "import sys, adqsp; print(sorted(m for m in ('numba', 'scipy', 'pandas') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_the_readme_python_example_runs(capsys):
    section = README.read_text(encoding="utf-8").split("## Python", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "placebo" in printed and "dupilumab 300 mg q2w" in printed
