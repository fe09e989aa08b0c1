"""Trial scenarios: the TOML file format, its validation and the embedded default (SOLO 1).

Example::

    name = "solo1"
    weeks = 16
    visits = [0, 1, 2, 4, 8, 12, 16]
    patients_per_arm = 1000
    seed = 20161
    compare_to = ["SOLO 1"]   # studies in calibration_targets.csv to print beside the results
    [population]
    preset = "adult"
    [[arms]]
    name = "placebo"
    [[arms]]
    name = "dupilumab 300 mg q2w"
    drug = "dupilumab"
    doses = [{mg = 600, week = 0}, {mg = 300, every_weeks = 2, from_week = 2}]
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from adqsp.errors import InputError
from adqsp.model.build import LOG_SD, check_overrides
from adqsp.pk.models import DRUGS
from adqsp.pk.regimen import Regimen
from adqsp.population.sampling import PRESETS
from adqsp.validation import finite_number

MAX_PATIENTS_PER_ARM = 1_000_000
MAX_WEEKS = 520
_TOP_KEYS = {"name", "weeks", "visits", "patients_per_arm", "seed", "population", "arms", "compare_to", "parameters"}
_ARM_KEYS = {"name", "drug", "doses", "pk_model"}
_POP_KEYS = {"preset", "easi_min", "iga_min", "bsa_min_pct"}


@dataclass(frozen=True)
class Inclusion:
    """Entry criteria applied to the observed baseline visit."""

    easi_min: float = 16.0
    iga_min: float = 3.0
    bsa_min_pct: float = 10.0


@dataclass(frozen=True)
class Arm:
    name: str
    drug: str | None = None
    regimen: Regimen = Regimen()
    pk_model: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    weeks: float
    arms: tuple[Arm, ...]
    visits: tuple[float, ...] = ()
    patients_per_arm: int = 300
    seed: int = 0
    preset: str = "adult"
    inclusion: Inclusion = field(default_factory=Inclusion)
    compare_to: tuple[str, ...] = ()
    parameters: tuple[tuple[str, float], ...] = ()

    @property
    def visit_weeks(self) -> tuple[float, ...]:
        """Visit weeks including baseline (0) and the last week."""
        return tuple(sorted({0.0, float(self.weeks), *self.visits}))


def default_scenario_text() -> str:
    return resources.files("adqsp").joinpath("data/solo1.toml").read_text()


def load_scenario(path: Path | None = None) -> Scenario:
    """Read and validate a scenario file (the embedded SOLO 1 default when ``path`` is None)."""
    if path is None:
        return parse_scenario(tomllib.loads(default_scenario_text()))
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise InputError("scenario", f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("scenario", f"{path} is not valid TOML: {exc}") from None
    return parse_scenario(data)


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """Validate a scenario given as a dict (parsed TOML); raises InputError naming the field."""
    _no_unknown(data, _TOP_KEYS, "")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise InputError("name", "must be a non-empty string of at most 100 characters")
    name = name.strip()
    if any(c in name for c in "/\\\0") or name.startswith("."):
        raise InputError("name", "must not contain path separators or start with a dot")
    weeks = finite_number(data.get("weeks"), "weeks", 0.0, MAX_WEEKS, exclusive_minimum=True)
    visits = data.get("visits", [])
    if not isinstance(visits, list):
        raise InputError("visits", "must be a list of weeks")
    visits_t = tuple(finite_number(v, f"visits[{i}]", 0.0, weeks) for i, v in enumerate(visits))
    if list(visits_t) != sorted(set(visits_t)):
        raise InputError("visits", "must be increasing with no repeats")
    n = data.get("patients_per_arm", 300)
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_PATIENTS_PER_ARM:
        raise InputError("patients_per_arm", f"must be a whole number from 1 to {MAX_PATIENTS_PER_ARM}")
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise InputError("seed", "must be a whole number >= 0")
    pop = data.get("population", {})
    if not isinstance(pop, dict):
        raise InputError("population", "must be a table")
    _no_unknown(pop, _POP_KEYS, "population.")
    preset = pop.get("preset", "adult")
    if preset not in PRESETS:
        raise InputError("population.preset", f"must be one of {', '.join(PRESETS)}")
    inclusion = Inclusion(
        easi_min=finite_number(pop.get("easi_min", 16.0), "population.easi_min", 0.0, 72.0),
        iga_min=finite_number(pop.get("iga_min", 3.0), "population.iga_min", 0.0, 4.0),
        bsa_min_pct=finite_number(pop.get("bsa_min_pct", 10.0), "population.bsa_min_pct", 0.0, 100.0),
    )
    arms_raw = data.get("arms")
    if not isinstance(arms_raw, list) or not arms_raw:
        raise InputError("arms", "must be a non-empty list of [[arms]] tables")
    arms = tuple(_arm(a, i) for i, a in enumerate(arms_raw))
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        raise InputError("arms", "arm names must be unique")
    compare_to = data.get("compare_to", [])
    if not isinstance(compare_to, list) or not all(isinstance(c, str) for c in compare_to):
        raise InputError("compare_to", "must be a list of study names from calibration_targets.csv")
    overrides = _overrides(data.get("parameters", {}))
    check_overrides(overrides, tuple((arm.drug, arm.pk_model) for arm in arms))
    return Scenario(
        name=name,
        weeks=weeks,
        arms=arms,
        visits=visits_t,
        patients_per_arm=n,
        seed=seed,
        preset=preset,
        inclusion=inclusion,
        compare_to=tuple(compare_to),
        parameters=overrides,
    )


def _arm(raw: Any, i: int) -> Arm:
    where = f"arms[{i}]"
    if not isinstance(raw, dict):
        raise InputError(where, "must be a table")
    _no_unknown(raw, _ARM_KEYS, f"{where}.")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise InputError(f"{where}.name", "must be a non-empty string of at most 100 characters")
    drug = raw.get("drug")
    if drug is not None and drug not in DRUGS:
        raise InputError(f"{where}.drug", f"unknown drug {drug!r} (allowed: {', '.join(DRUGS)}; omit for placebo)")
    doses = raw.get("doses", [])
    if not isinstance(doses, list):
        raise InputError(f"{where}.doses", "must be a list of dose tables")
    if doses and drug is None:
        raise InputError(f"{where}.doses", "doses need a drug (omit doses for placebo)")
    if drug is not None and not doses:
        raise InputError(f"{where}.doses", f"{drug} arm needs at least one dose")
    pk_model = raw.get("pk_model")
    if pk_model is not None and (drug is None or not isinstance(pk_model, str)):
        raise InputError(f"{where}.pk_model", "must be a string and needs a drug")
    return Arm(name=name.strip(), drug=drug, regimen=Regimen.from_entries(doses, f"{where}.doses"), pk_model=pk_model)


def _no_unknown(data: dict[str, Any], allowed: set[str], prefix: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise InputError(f"{prefix}{extra[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _overrides(params: object) -> tuple[tuple[str, float], ...]:
    """``[parameters]``: ``name = value`` or ``name = {value = v, log_sd = s}`` (between-patient log-SD)."""
    if not isinstance(params, dict):
        raise InputError("parameters", "must be a table of parameter = value")
    out: list[tuple[str, float]] = []
    for k, v in params.items():
        if not isinstance(v, dict):
            out.append((k, finite_number(v, f"parameters.{k}", 0.0, 1e12)))
            continue
        _no_unknown(v, {"value", "log_sd"}, f"parameters.{k}.")
        if not v:
            raise InputError(f"parameters.{k}", "must set value and/or log_sd")
        if "value" in v:
            out.append((k, finite_number(v["value"], f"parameters.{k}.value", 0.0, 1e12)))
        if "log_sd" in v:
            out.append((f"{k}{LOG_SD}", finite_number(v["log_sd"], f"parameters.{k}.log_sd", 0.0, 5.0)))
    return tuple(sorted(out))
