"""Validation against published trials a user describes: a targets file (the columns of the shipped
``calibration_targets.csv``) and a scenario for each study; every row the simulator can compare is compared.

A row is compared when its value is one number and its endpoint is one the trial summary reports: a visit endpoint
(:data:`~adqsp.trial.summary.VISIT_KEYS`) of a scenario arm at one of its visits, or a baseline mean
(:data:`~adqsp.trial.summary.BASELINE_KEYS`) at week 0 of an arm or of ``all arms`` (pooled over the arms'
patients). Other rows are skipped and counted by reason (:data:`SKIPPED`). The built-in SOLO 1 scenario stands for
:data:`BUILT_IN_STUDIES` unless another is given. Bad input, one line naming the file and line: a comparable row
whose study has no scenario, whose arm the scenario lacks or whose week is not one of its visits, a rate outside
0-1, or a file with no comparable row. The shipped targets file describes more studies than the built-in scenario
runs: there, rows of studies without a scenario are skipped instead.

Errors are simulated - published: rates (fractions in the file) in percentage points, % changes in points of %,
baseline means and the trough in their own units; the mean absolute error is given per endpoint kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adqsp.errors import InputError
from adqsp.trial.job import run_trial
from adqsp.trial.scenario import Scenario, load_scenario
from adqsp.trial.summary import BASELINE_KEYS, RESPONDER_KEYS, VISIT_KEYS
from adqsp.trial.targets import SHIPPED, number, read_targets, shipped_targets

#: studies the built-in SOLO 1 scenario stands for where no scenario is given for them
BUILT_IN_STUDIES = ("SOLO 1", "SOLO pooled")
#: the built-in scenario's source, as reports name it
BUILT_IN = "built-in SOLO 1"
#: the arm name of a pooled baseline row
ALL_ARMS = "all arms"
#: endpoint kind -> unit of its errors; a kind not listed is an endpoint of its own (:data:`MEAN_UNITS`)
KIND_UNITS = {"rate": "percentage points", "% change": "points"}
#: the units of the endpoints that are their own kind
MEAN_UNITS = {
    "EASI_mean": "EASI points",
    "NRS_mean": "NRS points",
    "BSA_mean": "% body surface area",
    "serum_trough_mg_L": "mg/L",
}
#: why a row was not compared (the counts of :attr:`Validation.skipped`)
SKIPPED = {
    "value_not_a_number": "the value is not one number (a range, a change, words or empty)",
    "endpoint_not_simulated": "the endpoint is not one the trial summary reports",
    "study_without_scenario": "shipped targets only: the study has no scenario",
    "not_simulated": "the simulation gives no value (no patient counted, or no drug for a trough)",
}


@dataclass(frozen=True)
class Target:
    """A comparable row of a targets file: ``line`` of the file, the study, its scenario's source, arm, week,
    endpoint and the published value (rates as fractions, changes in %)."""

    line: int
    study: str
    scenario: str
    arm: str
    week: float
    endpoint: str
    published: float


@dataclass(frozen=True)
class Comparison:
    """A target beside its simulated value; ``error`` = simulated - published in ``unit`` (rates x 100)."""

    target: Target
    simulated: float
    kind: str
    error: float
    unit: str

    def row(self) -> dict[str, object]:
        """As a row of validation.csv."""
        t = self.target
        return {
            "line": t.line,
            "study": t.study,
            "arm": t.arm,
            "week": t.week,
            "endpoint": t.endpoint,
            "kind": self.kind,
            "published": t.published,
            "simulated": self.simulated,
            "error": self.error,
            "error_unit": self.unit,
        }


@dataclass(frozen=True)
class Validation:
    """What ``adqsp validate`` reports: the targets file, the trials run (scenario, source, the studies it stands
    for, patients per arm, seed, estimand), the comparisons, the mean absolute error per kind and the rows skipped
    by reason (:data:`SKIPPED`)."""

    targets: str
    runs: tuple[dict[str, object], ...]
    comparisons: tuple[Comparison, ...]
    skipped: dict[str, int]

    def mean_absolute_errors(self) -> dict[str, dict[str, object]]:
        """Per endpoint kind: the number of comparisons, their mean absolute error and its unit."""
        out: dict[str, dict[str, object]] = {}
        for c in self.comparisons:
            entry = out.setdefault(c.kind, {"n": 0, "mae": 0.0, "unit": c.unit})
            entry["n"] += 1
            entry["mae"] += abs(c.error)
        for entry in out.values():
            entry["mae"] /= entry["n"]
        return out

    def to_json(self) -> dict[str, object]:
        """As validation.json."""
        return {
            "targets": self.targets,
            "runs": list(self.runs),
            "comparisons": [c.row() for c in self.comparisons],
            "mean_absolute_error": self.mean_absolute_errors(),
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Plan:
    """The targets file's name, the scenarios to run (each once) with their sources, each study's source, the
    targets to compare and the rows skipped so far."""

    where: str
    scenarios: dict[str, Scenario]
    studies: dict[str, str]
    targets: tuple[Target, ...]
    skipped: Counter[str]


def kind(endpoint: str) -> str:
    """The endpoint's kind: ``rate`` (a fraction of patients, 0-1, or of a signature reversed, which is negative when
    the signature worsens), ``% change`` or the endpoint."""
    if endpoint in RESPONDER_KEYS or endpoint.endswith("_fraction") or endpoint == "signature_reversal":
        return "rate"
    return "% change" if endpoint.endswith("_pct_change") else endpoint


def plan(
    path: Path | None,
    scenario_files: dict[str, Path],
    patients_per_arm: int | None = None,
    seed: int | None = None,
) -> Plan:
    """Read the targets file (the shipped one where ``path`` is None) and the scenarios (``scenario_files`` by
    study; the built-in SOLO 1 for :data:`BUILT_IN_STUDIES` otherwise), with ``patients_per_arm`` and ``seed``
    in place of each scenario's where given; check every comparable row against its scenario."""
    where = SHIPPED if path is None else str(path)
    rows = shipped_targets() if path is None else read_targets(path)
    named = {row["study"].strip() for _, row in rows}
    for study in scenario_files:
        if study not in named:
            raise InputError("--scenario", f"study {study!r} is not in {where} (studies: {', '.join(sorted(named))})")
    sources = {study: str(file) for study, file in scenario_files.items()}
    sources |= {study: BUILT_IN for study in BUILT_IN_STUDIES if study in named and study not in sources}
    loaded: dict[str, Scenario] = {}
    for source in dict.fromkeys(sources.values()):
        try:
            scenario = load_scenario(None if source == BUILT_IN else Path(source))
        except InputError as exc:  # name the file: there may be several
            raise InputError(f"{source}: {exc.field}", exc.problem) from None
        loaded[source] = scenario.sized(patients_per_arm, seed)
    targets, skipped = [], Counter()
    for line, row in rows:
        study, arm, endpoint = (row[column].strip() for column in ("study", "arm", "endpoint"))
        value = number(row["value"])
        if value is None:
            skipped["value_not_a_number"] += 1
        elif endpoint not in VISIT_KEYS and endpoint not in BASELINE_KEYS:
            skipped["endpoint_not_simulated"] += 1
        elif study not in sources and path is None:
            skipped["study_without_scenario"] += 1
        elif study not in sources:
            raise InputError(
                f"{where}, line {line}", f"study {study!r} has no scenario (give --scenario '{study}=FILE.toml')"
            )
        else:
            week = _week(row["week"], f"{where}, line {line}", loaded[sources[study]], arm, endpoint)
            if kind(endpoint) == "rate" and endpoint != "signature_reversal" and not 0.0 <= value <= 1.0:
                raise InputError(f"{where}, line {line}, column value", f"a rate is a fraction 0-1, got {value:g}")
            targets.append(Target(line, study, sources[study], arm, week, endpoint, value))
    if not targets:
        raise InputError(
            where,
            f"no row can be compared ({', '.join(f'{k} {v}' for k, v in sorted(skipped.items())) or 'no rows'}):"
            " a row needs one number as value and an endpoint the trial reports"
            f" ({', '.join((*VISIT_KEYS, *BASELINE_KEYS))})",
        )
    return Plan(where, loaded, sources, tuple(targets), skipped)


def _week(text: str, where: str, scenario: Scenario, arm: str, endpoint: str) -> float:
    """The row's week, checked against its scenario: a visit of it, 0 for a baseline mean; and its arm, one of the
    scenario's (or ``all arms`` for a baseline mean)."""
    week = number(text)
    arms = [a.name for a in scenario.arms]
    baseline = endpoint in BASELINE_KEYS
    if week is None:
        raise InputError(f"{where}, column week", f"not a number, got {text!r}")
    if arm not in arms and not (baseline and arm == ALL_ARMS):
        allowed = ", ".join(repr(a) for a in (*arms, *((ALL_ARMS,) if baseline else ())))
        raise InputError(f"{where}, column arm", f"{arm!r} is not an arm of scenario {scenario.name!r} ({allowed})")
    if baseline and week != 0.0:
        raise InputError(f"{where}, column week", f"{endpoint} is a baseline mean: week 0, got {text!r}")
    if week not in scenario.visit_weeks:
        visits = ", ".join(f"{w:g}" for w in scenario.visit_weeks)
        raise InputError(
            f"{where}, column week", f"week {week:g} is not a visit of scenario {scenario.name!r} ({visits})"
        )
    return week


def run_validation(
    path: Path | None,
    scenario_files: dict[str, Path],
    patients_per_arm: int | None = None,
    seed: int | None = None,
    log: Callable[[str], None] | None = None,
) -> Validation:
    """Run each scenario once and compare every comparable row of the targets file (:func:`plan`) with it."""
    p = plan(path, scenario_files, patients_per_arm, seed)
    summaries, runs = {}, []
    for source, scenario in p.scenarios.items():
        if log:
            log(f"running {scenario.name} ({source}; {scenario.patients_per_arm} per arm, seed {scenario.seed})")
        summaries[source] = run_trial(scenario).summary
        runs.append(
            {
                "scenario": scenario.name,
                "source": source,
                "studies": sorted(study for study, s in p.studies.items() if s == source),
                "patients_per_arm": scenario.patients_per_arm,
                "seed": scenario.seed,
                "estimand": scenario.estimand,
            }
        )
    comparisons, skipped = [], Counter(p.skipped)
    for target in p.targets:
        simulated = _simulated(summaries[target.scenario], target)
        if simulated is None:
            skipped["not_simulated"] += 1
            continue
        k = kind(target.endpoint)
        scale = 100.0 if k == "rate" else 1.0
        unit = KIND_UNITS.get(k) or MEAN_UNITS[target.endpoint]
        comparisons.append(Comparison(target, simulated, k, scale * (simulated - target.published), unit))
    return Validation(p.where, tuple(runs), tuple(comparisons), {key: skipped[key] for key in SKIPPED if skipped[key]})


def _simulated(summary: dict, target: Target) -> float | None:
    """The summary's value for ``target``: an arm's visit entry or baseline, or the baseline pooled over arms."""
    if target.endpoint in BASELINE_KEYS:
        arms = [a for a in summary["arms"] if target.arm in (ALL_ARMS, a["name"])]
        pairs = [(a["n"], a["baseline"][target.endpoint]) for a in arms if a["baseline"][target.endpoint] is not None]
        total = sum(n for n, _ in pairs)
        return sum(n * v for n, v in pairs) / total if total else None
    arm = next(a for a in summary["arms"] if a["name"] == target.arm)
    return arm["visits"][f"{target.week:g}"][target.endpoint]
