"""Global sensitivity: Sobol indices (SALib) of one patient's response to a drug over the parameters' ranges.

Each Saltelli sample (Sobol' sequence, ``N (D + 2)`` parameter sets for ``D`` parameters, second order not computed)
is one virtual patient: the typical values, with the chosen parameters set to the sample's. All samples are brought
to their enrolment states (drug-free steady state carried along the flare cycle to day 0, as a trial's patients) and
integrated together through the engine, the drug at its label regimen (or the regimen given), so thousands of
samples cost one batched simulation. Each parameter ranges log-uniformly over its typical value times
``exp(+-2 log_sd)`` where it varies between patients (the population's 95% range) and over ``/ factor`` to
``x factor`` where it does not. First- and total-order indices come with bootstrap confidence intervals (95%).

Endpoints (change from day 0 to the last week, per patient): ``easi_change`` (latent EASI, points), ``itch_change``
(itch NRS, points), ``tarc_pct_change`` and ``ige_pct_change`` (serum TARC and IgE, percent), ``type2_fraction``
(lesional type 2 pathway activity, fraction of day 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from adqsp.assembly import Overrides, compiled
from adqsp.drugs.registry import DrugLike, resolve
from adqsp.engine.solve import solve
from adqsp.errors import InputError
from adqsp.pk.regimen import Regimen, label_doses
from adqsp.population.sampling import Population
from adqsp.trial.run import arm_initial_states, enrolment_states

#: endpoint -> (model read-out, how the change from day 0 is taken)
ENDPOINTS = {
    "easi_change": ("easi", "difference"),
    "itch_change": ("itch_nrs", "difference"),
    "tarc_pct_change": ("tarc_serum", "percent"),
    "ige_pct_change": ("ige_serum", "percent"),
    "type2_fraction": ("les_type2_activity", "fraction"),
}
DEFAULT_ENDPOINTS = ("easi_change", "itch_change", "tarc_pct_change")
#: range of a parameter without between-patient variability: typical / FACTOR to typical x FACTOR
FACTOR = 2.0
#: patients integrated per engine call (progress is reported between calls)
CHUNK = 2048


@dataclass(frozen=True)
class SobolResult:
    """First- and total-order indices per endpoint (``S1[endpoint][k]`` for ``parameters[k]``), their 95% confidence
    half-widths, the parameters' ranges and the number of simulated patients."""

    drug: str
    weeks: float
    parameters: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    endpoints: tuple[str, ...]
    S1: dict[str, np.ndarray]
    S1_conf: dict[str, np.ndarray]
    ST: dict[str, np.ndarray]
    ST_conf: dict[str, np.ndarray]
    simulated: int


def sobol_indices(
    drug: DrugLike = "dupilumab",
    weeks: float = 16.0,
    parameters: Sequence[str] | None = None,
    endpoints: Sequence[str] = DEFAULT_ENDPOINTS,
    samples: int = 512,
    seed: int = 0,
    regimen: Regimen | None = None,
    overrides: Overrides = (),
    factor: float = FACTOR,
    progress: Callable[[str, int, int], None] | None = None,
) -> SobolResult:
    """Sobol indices of ``endpoints`` at week ``weeks`` under ``drug`` over ``parameters`` (default: every parameter
    that varies between patients), from ``samples`` base samples (a power of 2). Bad arguments raise InputError
    naming the argument."""
    record = resolve(drug)
    c = compiled(record, None, overrides)
    names = _parameters(c.model, parameters)
    unknown = [e for e in endpoints if e not in ENDPOINTS]
    if unknown or not endpoints:
        raise InputError("endpoints", f"unknown {unknown[:1] or 'none given'} (allowed: {', '.join(ENDPOINTS)})")
    if samples < 2 or samples & (samples - 1):
        raise InputError("samples", f"must be a power of 2 (Sobol' sequence balance), got {samples}")
    if not 0.0 < weeks <= 520.0:
        raise InputError("weeks", f"must be a number > 0 and <= 520, got {weeks}")
    if not factor > 1.0:
        raise InputError("factor", f"must be > 1, got {factor}")
    typical = {p.name: p for p in c.model.parameters}
    spread = [2.0 * typical[n].log_sd if typical[n].log_sd > 0 else np.log(factor) for n in names]
    centre = [np.log(typical[n].value) for n in names]
    problem = {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[m - s, m + s] for m, s in zip(centre, spread, strict=True)],
    }
    X = np.exp(sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed))
    responses = _responses(c, record, names, X, weeks, endpoints, regimen, overrides, progress)
    out: dict[str, dict[str, np.ndarray]] = {"S1": {}, "S1_conf": {}, "ST": {}, "ST_conf": {}}
    for endpoint in endpoints:
        found = sobol_analyze.analyze(problem, responses[endpoint], calc_second_order=False, seed=seed)
        for key in out:
            out[key][endpoint] = np.asarray(found[key])
    return SobolResult(
        drug=record.name if record else "placebo",
        weeks=float(weeks),
        parameters=tuple(names),
        low=tuple(float(np.exp(b[0])) for b in problem["bounds"]),
        high=tuple(float(np.exp(b[1])) for b in problem["bounds"]),
        endpoints=tuple(endpoints),
        simulated=len(X),
        **out,
    )


def _parameters(model, chosen: Sequence[str] | None) -> tuple[str, ...]:
    """The parameters to vary: ``chosen`` (each declared, positive and a patient parameter) or every varying one."""
    declared = {p.name: p for p in model.parameters}
    if chosen is None:
        return tuple(p.name for p in model.parameters if p.log_sd > 0)
    for name in chosen:
        if name not in declared:
            raise InputError("parameters", f"unknown parameter {name!r} (see `adqsp params`)")
        if not declared[name].value > 0.0:
            raise InputError("parameters", f"{name} is {declared[name].value}: only positive values vary (log scale)")
    if len(set(chosen)) != len(chosen) or len(chosen) < 2:
        raise InputError("parameters", "give at least two distinct parameters")
    return tuple(chosen)


def _responses(c, record, names, X, weeks, endpoints, regimen, overrides, progress) -> dict[str, np.ndarray]:
    """Each endpoint's value per sample: the samples as patients, simulated in chunks from their enrolment."""
    days = np.array([0.0, 7.0 * weeks])
    regimen = regimen if regimen is not None else Regimen.from_entries(label_doses(record)) if record else Regimen()
    readouts = sorted({ENDPOINTS[e][0] for e in endpoints})
    observe = c.observer(readouts)
    start: dict[str, list[np.ndarray]] = {name: [] for name in readouts}
    end: dict[str, list[np.ndarray]] = {name: [] for name in readouts}
    n = len(X)
    for lo in range(0, n, CHUNK):
        rows = X[lo : lo + CHUNK]
        population = Population(np.arange(lo, lo + len(rows)), {k: rows[:, j] for j, k in enumerate(names)})
        y_enrol, found = enrolment_states(population, overrides)
        P = c.parameter_matrix(population.values, len(population))
        y0 = arm_initial_states(c, y_enrol, P, overrides)
        dose_t, dose_mg = regimen.events(days[-1], P[c.model.parameter_names.index("WT")])
        try:
            tr = solve(c, P, y0, days, dose_t, dose_mg)
        except InputError as exc:  # a sampled value outside what the model allows (e.g. a dose fraction above 1)
            raise InputError("parameters", f"sampled {exc.field} {exc.problem}") from None
        failed = int(np.sum(~(found & tr.ok)))
        if failed:
            raise RuntimeError(f"{failed} of {len(rows)} sampled patients could not be simulated: narrow the ranges")
        for k, kept in ((0, start), (1, end)):
            seen = observe(days[k], tr.states[k], P)
            for name in readouts:
                kept[name].append(np.broadcast_to(seen[name], (len(rows),)))
        if progress:
            progress("Sobol samples", min(lo + CHUNK, n), n)
    out = {}
    for endpoint in endpoints:
        name, how = ENDPOINTS[endpoint]
        first, last = np.concatenate(start[name]), np.concatenate(end[name])
        if how == "difference":
            out[endpoint] = last - first
        elif how == "percent":
            out[endpoint] = 100.0 * (last - first) / first
        else:
            out[endpoint] = last / first
    return out


def markdown(result: SobolResult) -> str:
    """The indices as a Markdown table per endpoint, parameters by total-order index."""
    lines = [
        f"# Sobol indices: {result.drug}, week {result.weeks:g}",
        "",
        f"{result.simulated} simulated patients; first-order (S1) and total-order (ST) indices with 95% confidence"
        " half-widths; each parameter log-uniform over the range shown.",
    ]
    for endpoint in result.endpoints:
        order = np.argsort(-result.ST[endpoint])
        lines += ["", f"## {endpoint}", "", "| parameter | range | S1 | ST |", "|---|---|---|---|"]
        for k in order:
            lines.append(
                f"| {result.parameters[k]} | {result.low[k]:.4g} - {result.high[k]:.4g} |"
                f" {result.S1[endpoint][k]:.3f} +- {result.S1_conf[endpoint][k]:.3f} |"
                f" {result.ST[endpoint][k]:.3f} +- {result.ST_conf[endpoint][k]:.3f} |"
            )
    return "\n".join(lines) + "\n"


def figure(result: SobolResult, path, fmt: str | None = None) -> None:
    """A bar chart per endpoint: first- and total-order index of each parameter with its confidence interval
    (``fmt``: png or svg; default from the path's extension)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(result.endpoints)
    fig, axes = plt.subplots(1, k, figsize=(4.5 * k, 0.3 * len(result.parameters) + 1.5), sharey=True, squeeze=False)
    y = np.arange(len(result.parameters))
    for ax, endpoint in zip(axes[0], result.endpoints, strict=True):
        ax.barh(y - 0.2, result.ST[endpoint], 0.4, xerr=result.ST_conf[endpoint], label="total (ST)")
        ax.barh(y + 0.2, result.S1[endpoint], 0.4, xerr=result.S1_conf[endpoint], label="first order (S1)")
        ax.set_title(endpoint)
        ax.set_xlim(left=min(0.0, float(np.min(result.S1[endpoint]))))
    axes[0][0].set_yticks(y, result.parameters)
    axes[0][0].invert_yaxis()
    axes[0][-1].legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format=fmt)
    plt.close(fig)
