"""The model document: the committed pages are the generated ones, and expressions become the LaTeX they mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from adqsp.assembly import build_model, model_blocks
from adqsp.faces.cli import main
from adqsp.faces.diagram import crossings
from adqsp.faces.latex import number, to_latex
from adqsp.faces.modeldoc import pages

COMMITTED = Path(__file__).parents[1] / "docs" / "model"


def test_committed_pages_are_the_generated_ones(tmp_path, capsys):
    assert main(["docs", "--out", str(tmp_path)]) == 0
    generated = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert set(capsys.readouterr().out.split()) == {str(tmp_path / name) for name in generated}
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.iterdir()}
    assert committed == generated, "run `adqsp docs --out docs/model`"


def test_every_declared_name_rate_law_and_interval_is_on_the_layer_pages():
    layers = "\n".join(
        page for file, page in pages().items() if file.endswith(".md") and file not in ("index.md", "drugs.md")
    )
    model = build_model("dupilumab")
    assert len(model_blocks("dupilumab")) == 6
    for name in (*model.parameter_names, *model.state_names, *model.assignment_names):
        assert f"`{name}`" in layers, name
    for state, rate in model.rates.items():
        assert f"{to_latex(state)}}}{{dt}} = {to_latex(rate)}\n" in layers, state
    for p in model.parameters:
        for interval in (p.interval, p.log_sd_interval):
            assert not interval or f"(95%: {interval[0]:.3g} to {interval[1]:.3g})" in layers, p.name


def test_other_drugs_page_names_each_drugs_own_parameters():
    page = pages()["drugs.md"]
    dupilumab = set(build_model("dupilumab").parameter_names)
    for drug in ("tralokinumab", "lebrikizumab", "cyclosporine"):
        assert f"## {drug}" in page
        own = set(build_model(drug).parameter_names) - dupilumab
        assert own and all(f"`{name}`" in page for name in own), drug


@pytest.mark.parametrize(
    ("expression", "latex"),
    [
        ("a_b * c", r"\mathrm{a\_b} \cdot \mathrm{c}"),
        ("a / (b + c)", r"\frac{\mathrm{a}}{\mathrm{b} + \mathrm{c}}"),
        ("(a + b) * c", r"\left(\mathrm{a} + \mathrm{b}\right) \cdot \mathrm{c}"),
        ("a - (b - c)", r"\mathrm{a} - \left(\mathrm{b} - \mathrm{c}\right)"),
        ("a - b - c", r"\mathrm{a} - \mathrm{b} - \mathrm{c}"),
        ("-k * x", r"-\mathrm{k} \cdot \mathrm{x}"),
        ("x ** (n - 1)", r"{\mathrm{x}}^{\mathrm{n} - 1}"),
        ("(a + b) ** 2.0", r"{\left(\mathrm{a} + \mathrm{b}\right)}^{2}"),
        ("max(x, 0.0)", r"\max\left(\mathrm{x}, 0\right)"),
        ("min(x, y)", r"\min\left(\mathrm{x}, \mathrm{y}\right)"),
        ("exp(-t) * sqrt(x) + log(y)", r"\exp\left(-t\right) \cdot \sqrt{\mathrm{x}} + \ln\left(\mathrm{y}\right)"),
        (
            "where(t >= 1.5, a, b)",
            r"\begin{cases} \mathrm{a} & \text{if } t \ge 1.5 \\ \mathrm{b} & \text{otherwise} \end{cases}",
        ),
    ],
)
def test_latex_of_expressions(expression, latex):
    assert to_latex(expression) == latex


@pytest.mark.parametrize(
    ("value", "text"), [(1000.0, "1000"), (0.157, "0.157"), (1e-9, "10^{-9}"), (2.5e-12, r"2.5 \times 10^{-12}")]
)
def test_numbers(value, text):
    assert number(value) == text


def test_rejects_what_the_expression_language_rejects():
    with pytest.raises(ValueError):
        to_latex("a % b")


def test_the_diagram_draws_every_block_and_the_drug_where_the_disease_reads_it():
    blocks = model_blocks("dupilumab")
    edges = crossings(blocks)
    names = [b.name.split("_")[0] for b in blocks]
    assert edges[(names.index("pk"), names.index("disease"))] == ["dupilumab_skin_nM"]
    assert "sign_erythema" in edges[(names.index("endpoints"), names.index("topical"))]
    svg = pages()["diagram.svg"]
    assert svg.startswith("<svg") and all(b.name in svg for b in blocks)
    assert all(s in svg for b in blocks for s in b.state_names)


def test_a_file_where_the_folder_should_be_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    assert main(["docs", "--out", str(blocker / "model")]) == 2
    assert f"--out: {blocker} is a file, not a folder" in capsys.readouterr().err
