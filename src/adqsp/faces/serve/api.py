"""What the explorer's JSON API answers, without the web framework: the request schemas (built from the scenario
schema's types, so a bad field gets the same one-line message as in a scenario file) and the functions that answer
them through the Python API (:func:`adqsp.time_course`, :func:`adqsp.run_trial`)."""

from __future__ import annotations

import math
import tomllib
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from adqsp.assembly import build_model, compiled
from adqsp.drugs.record import DrugRecord
from adqsp.drugs.registry import resolve, shipped
from adqsp.engine import fast
from adqsp.errors import InputError
from adqsp.faces.cli import drug_target
from adqsp.faces.options import Drug
from adqsp.pk.regimen import Regimen
from adqsp.population.sampling import sample
from adqsp.schema import DOSINGS, DoseTable, Easi, Name, ParameterValue, PkModel, Preset, Seed, choice, real, whole
from adqsp.trial.course import KEY_COLUMNS, population_course, time_course
from adqsp.trial.scenario import embedded_text
from adqsp.validation import fail

#: the longest course a request may ask for (weeks) and the most parameter overrides in one request
MAX_COURSE_WEEKS = 104.0
MAX_OVERRIDES = 20
#: a trial job's caps: patients per arm, weeks, drug arms beside placebo
MAX_TRIAL_PATIENTS = 200
MAX_TRIAL_WEEKS = 52.0
MAX_TRIAL_ARMS = 3
#: a sampled patient with a lowest day-0 EASI is the first of this many of its seed's population that reaches it
SCREENED_PATIENTS = 64
#: visit weeks of a custom trial (those before its last week; 0 and the last week always are visits)
CUSTOM_VISITS = (1.0, 2.0, 4.0, 8.0, 12.0, 16.0, 24.0, 32.0, 40.0, 52.0)
#: the summary entries a trial job returns per arm and visit
TRIAL_ENDPOINTS = ("EASI_pct_change", "EASI50", "EASI75", "EASI90", "IGA01", "NRS4", "NRS_pct_change")

_SITES = ("les", "non")
#: the mechanism's read-outs: cytokines (total and free, pM), the decoy, pSTAT6 per cell type (time_course's key
#: columns add the skin drug, IL-4Ra occupancy and the signalling complexes)
_MECHANISM = (
    "les_IL4_pM",
    "les_IL13_pM",
    "les_il4_free_pM",
    "les_il13_free_pM",
    "les_keratinocyte_il13_decoy",
    "les_keratinocyte_pstat6",
    "les_lymphocyte_il4ra_occupancy",
    "les_lymphocyte_pstat6",
    "les_sensory_neuron_pstat6",
)
#: immune cells, cytokines, pathways and skin, lesional and nonlesional
_SKIN = tuple(
    f"{site}_{name}"
    for names in (
        ("th2", "th1", "th17", "th22", "ilc2", "dc", "IL31", "IL22", "IL17", "IFNg", "tslp", "IL33", "CCL26"),
        ("basophil_activation", "mast_activation", "macrophage", "macrophage_m2", "CCL18"),
        ("type1_activity", "type2_activity", "type17_activity", "type22_activity", "barrier", "tewl", "epidermis_um"),
    )
    for site in _SITES
    for name in names
)
#: the lymph node, circulating effectors, the IgE loop, blood eosinophils and lesion age
_IMMUNE = (
    "node_dc",
    "node_lymphocyte_stat6",
    *(f"{x}_pool" for x in ("th2", "th1", "th17", "th22")),
    "basophil_fceri",
    "mast_fceri",
    "eos_blood",
    "les_eos",
    "les_chronicity",
)
#: EASI's four signs and the affected area of its four regions
_EASI_PARTS = (
    *(f"sign_{sign}" for sign in ("erythema", "induration", "excoriation", "lichenification")),
    *(f"area_pct_{region}" for region in ("head", "upper", "trunk", "lower")),
)
#: the time-course columns a course returns (those the arm's model has), besides the drug's own read-outs
SERIES = tuple(dict.fromkeys((*_MECHANISM, *KEY_COLUMNS, *_SKIN, *_IMMUNE, *_EASI_PARTS)))
#: read-outs of drugs that act inside cells (JAK pairs' activity, T-cell activation), where the model has them
INSIDE_CELL = ("jak1_jak3_activity", "jak1_tyk2_activity", "jak1_jak2_activity", "tcell_activation")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientRequest(_Request):
    """Which patient: the typical one (every parameter at its typical value), or one drawn from a seed's virtual
    population (the first of its patients 0, 1, ... whose day-0 EASI is at least ``min_easi``)."""

    kind: choice(("typical", "sampled"), "patient kind") = Field("typical", description="typical or sampled")
    seed: Seed = Field(0, description="seed of the virtual population a sampled patient is drawn from")
    preset: Preset = Field("adult", description="virtual population of a sampled patient")
    min_easi: Easi = Field(
        0.0, description=f"lowest day-0 EASI of a sampled patient (searched among its seed's first {SCREENED_PATIENTS})"
    )

    @model_validator(mode="after")
    def _sampled_only(self) -> PatientRequest:
        for key in ("seed", "preset", "min_easi"):
            if self.kind == "typical" and key in self.model_fields_set:
                fail((key,), 'only for kind = "sampled"', getattr(self, key))
        return self


class RegimenChoice(_Request):
    """A drug's regimen: one of its label regimens by name (default: the first, the usual adult one) or dose entries
    as in a scenario file."""

    regimen: Name = Field(None, description="a label regimen of the drug (GET /api/drugs lists them)")
    doses: list[DoseTable] = Field(None, description="dose entries, as an arm's doses in a scenario file")

    @model_validator(mode="after")
    def _one_or_other(self) -> RegimenChoice:
        if self.regimen is not None and self.doses is not None:
            fail(("doses",), "not allowed together with regimen", self.doses)
        return self

    def dose_entries(self, drug: DrugRecord | None, field: str = "") -> list[dict[str, Any]]:
        """The dose entries in scenario-file form (none for placebo)."""
        prefix = f"{field}." if field else ""
        if self.doses is not None:
            if drug is None and self.doses:
                raise InputError(f"{prefix}doses", "doses need a drug (placebo takes none)")
            return [d.model_dump(exclude_none=True, exclude_defaults=True) for d in self.doses]
        if drug is None:
            if self.regimen is not None:
                raise InputError(f"{prefix}regimen", "placebo has no regimen")
            return []
        regimens = {r.name: r for r in drug.label_regimens}
        if not regimens:
            raise InputError(f"{prefix}doses", f"{drug.name} has no label regimen: give doses")
        name = self.regimen if self.regimen is not None else next(iter(regimens))
        if name not in regimens:
            raise InputError(
                f"{prefix}regimen", f"unknown regimen {name!r} of {drug.name} (allowed: {', '.join(regimens)})"
            )
        return [d.model_dump(exclude_none=True, exclude_defaults=True) for d in regimens[name].doses]


class CourseRequest(RegimenChoice):
    """POST /api/course: one patient's time course under a drug and regimen, daily."""

    drug: Drug = Field("dupilumab", description="a shipped drug or placebo")
    pk_model: PkModel = None
    weeks: real(gt=0.0, le=MAX_COURSE_WEEKS) = Field(16.0, description="length of the course in weeks")
    patient: PatientRequest = Field(PatientRequest(), description="the typical patient or a sampled one")
    parameters: dict[Name, ParameterValue] = Field(
        {},
        max_length=MAX_OVERRIDES,
        description="parameter overrides, name = typical value (names as in GET /api/parameters)",
    )


class TrialArmRequest(RegimenChoice):
    """A drug arm of a custom trial (its placebo arm is added)."""

    drug: choice(tuple(shipped()), "drug") = Field(description="a shipped drug")
    dosing: choice(DOSINGS, "dosing") = Field(
        None, description="interval_mean or each_dose, as a scenario's arm (default: interval_mean where it applies)"
    )


class TrialRequest(_Request):
    """POST /api/trials: a small virtual trial. ``solo1``: the embedded SOLO 1 design (16 weeks; compared with the
    published rates); ``custom``: the given drug arms and placebo over ``weeks``, SOLO 1's entry criteria."""

    design: choice(("solo1", "custom"), "design") = "solo1"
    arms: list[TrialArmRequest] = Field([], max_length=MAX_TRIAL_ARMS, description="drug arms of a custom trial")
    weeks: real(gt=0.0, le=MAX_TRIAL_WEEKS) = Field(16.0, description="length of a custom trial in weeks")
    patients_per_arm: whole(ge=1, le=MAX_TRIAL_PATIENTS) = 50
    seed: Seed = 20161

    @model_validator(mode="after")
    def _design_keys(self) -> TrialRequest:
        if self.design == "solo1":
            for key in ("arms", "weeks"):
                if key in self.model_fields_set:
                    fail((key,), 'only for design = "custom" (SOLO 1 has its own)', getattr(self, key))
        elif not self.arms:
            fail(("arms",), "a custom trial needs at least one drug arm", self.arms)
        return self


def compile_kernels() -> None:
    """The solver's compiled kernels into this process (numba compiles what its cache lacks): until they are, a course
    request runs its lone patient in the interpreter, about five times slower for the same numbers."""
    fast.compile_kernels(compiled(None))


def drugs_summary() -> list[dict[str, Any]]:
    """GET /api/drugs: each shipped drug's name, class, route, target, motif and label regimens."""
    out = []
    for record in shipped().values():
        target, motif = drug_target(record)
        out.append(
            {
                "name": record.name,
                "class": record.drug_class,
                "route": record.route,
                "description": record.description,
                "target": target,
                "motif": motif,
                "pk_models": list(record.pk_models),
                "regimens": [
                    {
                        "name": r.name,
                        "source": r.source,
                        "doses": [d.model_dump(exclude_none=True, exclude_defaults=True) for d in r.doses],
                    }
                    for r in record.label_regimens
                ],
            }
        )
    return out


def parameters_table(drug: str) -> list[dict[str, Any]]:
    """GET /api/parameters: the declared parameters of a drug's model (name, value, unit, log-SD, role, source)."""
    record = _drug(drug, "drug")
    return [
        {"name": p.name, "value": p.value, "unit": p.unit, "log_sd": p.log_sd, "role": p.role, "source": p.source}
        for p in build_model(record).parameters
    ]


def _drug(name: Any, field: str) -> DrugRecord | None:
    """The record of a drug named in a request (None for placebo)."""
    return None if name == "placebo" else resolve(name, field=field)


def course(request: CourseRequest) -> dict[str, Any]:
    """POST /api/course: the requested patient's daily time course (the columns of :data:`SERIES` and the drug's
    serum concentration, mg/L, and inside-cell read-outs), with units."""
    drug = _drug(request.drug, "drug")
    entries = request.dose_entries(drug)
    regimen = Regimen.from_entries(entries, "doses")
    overrides = tuple(sorted(request.parameters.items()))
    values, patient = _patient(drug, request.pk_model, overrides, request.patient)
    frame = time_course(drug, regimen, request.weeks, request.pk_model, values=values, overrides=overrides)
    serum = f"{drug.name}_serum_mg_L" if drug is not None else None
    frame["serum_mg_L"] = frame[serum] if serum else 0.0
    frame.attrs["units"]["serum_mg_L"] = "mg/L"
    wanted = ["time_days", "serum_mg_L", *(c for c in (*SERIES, *INSIDE_CELL) if c in frame.columns)]
    if drug is not None:
        wanted += [c for c in frame.columns if c.startswith(f"{drug.name}_") and c.endswith("_inhibition")]
    return {
        "drug": request.drug,
        "doses": entries,
        "weeks": request.weeks,
        "patient": patient,
        "solver_ok": bool(frame["solver_ok"].all()),
        "units": {c: frame.attrs["units"].get(c, "dimensionless") for c in wanted},
        "series": {c: _finite_list(frame[c].to_numpy()) for c in wanted},
    }


def _patient(
    drug: DrugRecord | None, pk_model: str | None, overrides: tuple, spec: PatientRequest
) -> tuple[dict[str, float] | None, dict[str, Any]]:
    """A course's patient: its parameter values (None: the typical patient) and a description for the page."""
    if spec.kind == "typical":
        return None, {"kind": "typical"}
    index = 0
    if spec.min_easi > 0:
        day0 = population_course(
            drug,
            Regimen(),
            weeks=1.0,
            patients=SCREENED_PATIENTS,
            seed=spec.seed,
            outputs=["easi"],
            pk_model=pk_model,
            step_days=7.0,
            overrides=overrides,
            preset=spec.preset,
        ).query("time_days == 0 and solver_ok")
        reaching = day0.index[day0["easi"] >= spec.min_easi]
        if reaching.empty:
            raise InputError(
                "patient.min_easi",
                f"none of the first {SCREENED_PATIENTS} patients of seed {spec.seed} has a day-0 EASI of at least"
                f" {spec.min_easi:g} (highest {day0['easi'].max():.1f})",
            )
        index = int(day0.loc[reaching[0], "patient"])
    population = sample(compiled(drug, pk_model, overrides).model, np.array([index]), spec.seed, spec.preset)
    values = {k: float(v[0]) for k, v in population.values.items()}
    return values, {"kind": "sampled", "seed": spec.seed, "index": index, "weight_kg": values["WT"]}


def _finite_list(values: np.ndarray) -> list[float | None]:
    """Values as a JSON list, a non-finite value as null."""
    return [v if math.isfinite(v) else None for v in values.astype(float).tolist()]


def trial_scenario(request: TrialRequest) -> dict[str, Any]:
    """The scenario (as parsed TOML, checked by :func:`adqsp.parse_scenario` where it runs) of a trial request."""
    if request.design == "solo1":
        data = tomllib.loads(embedded_text("solo1"))
    else:
        arms: list[dict[str, Any]] = []  # the drug arms first, so a scenario error's arms[i] is the request's
        for i, arm in enumerate(request.arms):
            drug = _drug(arm.drug, f"arms[{i}].drug")
            label = arm.regimen if arm.regimen is not None else "label" if arm.doses is None else "custom doses"
            arms.append(
                {
                    "name": f"{chr(ord('A') + i)}: {arm.drug} ({label})",
                    "drug": arm.drug,
                    "doses": arm.dose_entries(drug, f"arms[{i}]"),
                }
                | ({"dosing": arm.dosing} if arm.dosing else {})
            )
        arms.append({"name": "placebo"})
        data = {
            "name": "explorer",
            "weeks": request.weeks,
            "visits": [w for w in CUSTOM_VISITS if w < request.weeks],
            "arms": arms,
        }
    return data | {"patients_per_arm": request.patients_per_arm, "seed": request.seed}


def trial_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """What a finished trial job returns: per arm and visit the :data:`TRIAL_ENDPOINTS`, the published values where
    the design names them, the screening counts and the warnings."""
    arms = []
    for arm in summary["arms"]:
        arms.append(
            {
                "name": arm["name"],
                "drug": arm["drug"],
                "n": arm["n"],
                "excluded": arm["excluded"],
                "visits": {w: _finite_dict(v, TRIAL_ENDPOINTS) for w, v in arm["visits"].items()},
                "published": {w: _finite_dict(v, TRIAL_ENDPOINTS) for w, v in arm["published"].items()},
            }
        )
    return {
        "scenario": summary["scenario"],
        "weeks": summary["weeks"],
        "patients_per_arm": summary["patients_per_arm"],
        "seed": summary["seed"],
        "screening": summary["screening"],
        "warnings": summary["warnings"],
        "arms": arms,
    }


def _finite_dict(entries: dict[str, Any], keys: tuple[str, ...]) -> dict[str, float | None]:
    """The ``keys`` of ``entries`` that are given, a non-finite value as null."""
    return {k: (float(entries[k]) if math.isfinite(entries[k]) else None) for k in keys if entries.get(k) is not None}
