"""The model document (``adqsp docs --out DIR``): Markdown pages generated from the one model declaration.

One page per layer of the default dupilumab model (the blocks :func:`adqsp.assembly.model_blocks` combines), with
every state and its rate law, every assignment and every parameter as assembled (calibrated values and their 95%
intervals included), and a page of what each other shipped drug adds or changes. Equations are LaTeX for MathJax
(``$$...$$`` blocks and ``\\(...\\)`` inline, as pymdownx.arithmatex reads them).
"""

from __future__ import annotations

from pathlib import Path

from adqsp.assembly import build_model, model_blocks
from adqsp.drugs.registry import shipped
from adqsp.faces.diagram import model_svg
from adqsp.faces.latex import name, to_latex
from adqsp.files import write_texts
from adqsp.model.declaration import Assignment, Model, Parameter, State

DEFAULT = "dupilumab"
#: block name (before its first underscore) -> page file stem and title
LAYERS = {
    "pk": ("pk", "Pharmacokinetics"),
    "receptor": ("receptor", "Receptor binding"),
    "conduct": ("conduct", "Trial conduct"),
    "disease": ("disease", "Disease"),
    "endpoints": ("endpoints", "Clinical read-outs"),
    "topical": ("topical", "Background therapy"),
}
_NOTE = (
    "<!-- Generated from the model declaration by `adqsp docs --out docs/model`; a test keeps this file in step. -->"
)


def pages() -> dict[str, str]:
    """File name -> Markdown text of every page of the model document."""
    model = build_model(DEFAULT)
    blocks = model_blocks(DEFAULT)
    out = {"index.md": _index(model, blocks)}
    for block in blocks:
        stem, title = LAYERS[block.name.split("_")[0]]
        out[f"{stem}.md"] = _layer_page(title, block, model)
    out["drugs.md"] = _drugs_page(model)
    out["diagram.svg"] = model_svg(blocks, [LAYERS[b.name.split("_")[0]][1] for b in blocks])
    return out


def write(folder: Path) -> list[Path]:
    """Write every page into ``folder`` (created if missing); the paths written."""
    return write_texts(folder, pages())


def _others() -> str:
    """The shipped drugs other than the default, as words."""
    names = sorted(n for n in shipped() if n != DEFAULT)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _index(model: Model, blocks: tuple[Model, ...]) -> str:
    rows = ["| layer | block | states | assignments | parameters |", "|---|---|---|---|---|"]
    for block in blocks:
        stem, title = LAYERS[block.name.split("_")[0]]
        counts = f"{len(block.states)} | {len(block.assignments)} | {len(block.parameters)}"
        rows.append(f"| [{title}]({stem}.md) | `{block.name}` | {counts} |")
    return f"""# The model

{_NOTE}

These pages are written from the one declaration of the model (`adqsp.assembly.build_model("{DEFAULT}")`,
model `{model.name}`), so they cannot differ from what the simulator integrates: the same declaration gives the
batched right-hand side, the compiled solver and the SBML export. Time is in {model.time_unit}s. The model is
combined from {len(blocks)} blocks, one per layer:

{chr(10).join(rows)}

![The blocks, their states, and the names each reads from another (drawn from the declaration by
adqsp.faces.diagram, no graphviz)](diagram.svg)

[Other drugs](drugs.md) lists what {_others()} add to or change in this model.

How to read the pages:

- A **state** is integrated over time; its rate law is written as \\(d\\,x/dt\\). Its initial value is a number or
  an expression of parameters.
- An **assignment** is evaluated at every time point, in declaration order; `max`, `min`, `exp`, `ln`, `sqrt` are
  the usual functions and a brace is a condition (`where` in the declaration).
- A **parameter** has a typical value, a unit and a source. *log-SD* is the between-patient standard deviation of
  ln(value) (0: the same for every patient). Its *role* says what it describes: `patient` (may vary between
  patients), `instrument` (the scores' definitions, raters and diaries) or `conduct` (the trial's rules); the last
  two are the same for every patient. A source starting `calibrated:` names the targets the value was fitted to,
  and the 95% interval from the calibration's residual Jacobian follows the value (or the log-SD); a value the
  targets do not determine is declared `assumed`.
"""


def _layer_page(title: str, block: Model, model: Model) -> str:
    assembled = {p.name: p for p in model.parameters}
    parts = [
        f"# {title}",
        _NOTE,
        f"Block `{block.name}` of model `{model.name}`: {len(block.states)} states, {len(block.assignments)} "
        f"assignments, {len(block.parameters)} parameters.",
    ]
    if block.states:
        parts += ["## States", _state_table(block.states), "### Rate laws"]
        parts += [_rate(s, model) for s in block.states]
    if block.assignments:
        parts += ["## Assignments", *(_assignment(a) for a in block.assignments)]
    if block.parameters:
        parts += ["## Parameters", _parameter_table([assembled[p.name] for p in block.parameters])]
    return "\n\n".join(parts) + "\n"


def _drugs_page(default: Model) -> str:
    parts = [
        "# Other drugs",
        _NOTE,
        f"What each shipped drug's model adds to, removes from or changes in the {DEFAULT} model "
        f"(`{default.name}`). A drug's PK parameters are its record's (`pk_...`), its binding constants the "
        "receptor layer's (`rc_<drug>_...`); a pathway inhibitor adds its potency and changes the disease "
        "assignments it acts on.",
    ]
    for drug in (d for d in shipped() if d != DEFAULT):
        parts += _differences(drug, default, build_model(drug))
    return "\n\n".join(parts) + "\n"


def _differences(drug: str, default: Model, model: Model) -> list[str]:
    old_p, new_p = {p.name: p for p in default.parameters}, {p.name: p for p in model.parameters}
    old_a, new_a = {a.name: a for a in default.assignments}, {a.name: a for a in model.assignments}
    old_s = {s.name: s for s in default.states}
    parts = [f"## {drug}", f"Model `{model.name}`."]
    added = [p for n, p in new_p.items() if n not in old_p]
    changed = [p for n, p in new_p.items() if n in old_p and p != old_p[n]]
    if added:
        parts += ["### Parameters added", _parameter_table(added)]
    if changed:
        parts += ["### Parameters changed", _parameter_table(changed)]
    parts += _removed("Parameters", [n for n in old_p if n not in new_p])
    states = [s for s in model.states if old_s.get(s.name) != s or model.rates[s.name] != default.rates[s.name]]
    if states:
        parts += ["### States added or changed", _state_table(states), *(_rate(s, model) for s in states)]
    parts += _removed("States", [n for n in old_s if n not in model.state_names])
    assignments = [a for n, a in new_a.items() if n not in old_a or a != old_a[n]]
    if assignments:
        parts += ["### Assignments added or changed", *(_assignment(a) for a in assignments)]
    parts += _removed("Assignments", [n for n in old_a if n not in new_a])
    return parts


def _removed(kind: str, names: list[str]) -> list[str]:
    return [f"### {kind} removed", ", ".join(f"`{n}`" for n in names)] if names else []


def _state_table(states: tuple[State, ...] | list[State]) -> str:
    rows = ["| state | unit | initial value | description |", "|---|---|---|---|"]
    for s in states:
        initial = f"\\({to_latex(s.initial)}\\)" if isinstance(s.initial, str) else _number(s.initial)
        rows.append(_row(f"`{s.name}`", s.unit, initial, s.description))
    return "\n".join(rows)


def _rate(state: State, model: Model) -> str:
    lhs = rf"\frac{{d\,{name(state.name)}}}{{dt}}"
    unit = f"1/{model.time_unit}" if state.unit == "dimensionless" else f"{state.unit} per {model.time_unit}"
    return f"`{state.name}` ({unit}):\n\n$$\n{lhs} = {to_latex(model.rates[state.name])}\n$$"


def _assignment(a: Assignment) -> str:
    capture = f"; kept per visit as `{a.capture}`" if a.capture else ""
    text = f"`{a.name}` ({a.unit}): {a.description}{capture}" if a.description else f"`{a.name}` ({a.unit}){capture}"
    return f"{text}\n\n$$\n{name(a.name)} = {to_latex(a.expression)}\n$$"


def _parameter_table(parameters: list[Parameter]) -> str:
    rows = ["| parameter | value | unit | log-SD | role | description | source |", "|---|---|---|---|---|---|---|"]
    for p in parameters:
        value = _number(p.value) + _interval(p.interval)
        spread = (_number(p.log_sd) if p.log_sd else "0") + _interval(p.log_sd_interval)
        rows.append(_row(f"`{p.name}`", value, p.unit, spread, p.role, p.description, p.source))
    return "\n".join(rows)


def _interval(interval: tuple[float, float] | None) -> str:
    return f" (95%: {interval[0]:.3g} to {interval[1]:.3g})" if interval else ""


def _number(value: float) -> str:
    return f"{value:.6g}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
