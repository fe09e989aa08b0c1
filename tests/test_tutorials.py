"""The tutorials in docs/tutorials run as they are shown (the docs pages include their source)."""

import runpy
from pathlib import Path

import pytest

TUTORIALS = sorted((Path(__file__).parents[1] / "docs" / "tutorials").glob("*.py"))


def test_every_tutorial_page_includes_a_script_that_exists():
    pages = sorted((Path(__file__).parents[1] / "docs" / "tutorials").glob("*.md"))
    included = {
        line.split('"')[1]
        for page in pages
        for line in page.read_text(encoding="utf-8").splitlines()
        if "--8<--" in line
    }
    assert included == {f"docs/tutorials/{script.name}" for script in TUTORIALS}


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_runs(script, capsys):
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()
