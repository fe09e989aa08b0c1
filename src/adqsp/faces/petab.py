"""PEtab export of what of the calibration problem a per-simulation format can hold: the drug's PK against the label
PK rows of ``calibration_targets.csv``.

PEtab compares each simulation with measurements of that simulation; the trial endpoints the calibration fits
(responder rates and mean changes of screened, randomised, rescued populations) are statistics over thousands of
virtual patients and have no such form. What fits is the PK of the typical patient: the SBML of the drug's PK
model (dose amounts as parameters, so that each condition sets its regimen), two conditions (the label regimen,
600 mg then 300 mg every 2 weeks; a single 600 mg dose), the serum concentration as the observable, the label's
week-16 trough and single-dose Cmax as measurements with their reported SDs as noise, and the typical clearance
rate and central volume as the estimated parameters (log10 scale, bounds a decade either side).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from adqsp.drugs.registry import resolve
from adqsp.faces.sbml import to_sbml_document, write_sbml
from adqsp.files import write_texts
from adqsp.pk.models import pk_block
from adqsp.pk.regimen import Regimen

DRUG = "dupilumab"
#: dose days of the exported schedule (day): the label regimen up to the last dose before the week-16 trough
DOSE_DAYS = tuple(float(d) for d in range(0, 112, 14))
#: condition -> amount of each dose (mg)
CONDITIONS = {
    "label_q2w": (600.0, *(300.0,) * (len(DOSE_DAYS) - 1)),
    "single_600mg": (600.0, *(0.0,) * (len(DOSE_DAYS) - 1)),
}
#: (condition, day, value mg/L, SD mg/L, dataset) from calibration_targets.csv's label PK rows: the week-16 trough
#: (mean of the trials' means 60.3-79.9, SD 35.1-41.4) and the Cmax about a week after a single 600 mg dose
#: (70.1 +- 24.1), both from the label
MEASUREMENTS = (
    ("label_q2w", 112.0, 70.1, 38.3, "week_16_trough"),
    ("single_600mg", 7.0, 70.1, 24.1, "Cmax"),
)
ESTIMATED = ("pk_ke", "pk_Vc")
FILES = ("model.xml", "conditions.tsv", "observables.tsv", "measurements.tsv", "parameters.tsv", "problem.yaml")


def petab_tables() -> dict[str, str]:
    """File name -> text of every file of the PEtab problem."""
    model = pk_block(resolve(DRUG))
    label = CONDITIONS["label_q2w"]  # the model's own dose amounts; each condition sets its own
    regimen = Regimen.from_entries([{"mg": mg, "day": d} for d, mg in zip(DOSE_DAYS, label, strict=True)])
    doc = to_sbml_document(model, regimen, horizon_days=DOSE_DAYS[-1], dose_parameters=True)
    doses = [f"dose_{i}_mg" for i in range(len(DOSE_DAYS))]
    conditions = pd.DataFrame(
        [{"conditionId": name, **dict(zip(doses, amounts, strict=True))} for name, amounts in CONDITIONS.items()]
    )
    serum = f"{DRUG}_serum_mg_L"
    observables = pd.DataFrame(
        [
            {
                "observableId": "serum",
                "observableName": f"{DRUG} serum concentration (mg/L)",
                "observableFormula": serum,
                "noiseFormula": "noiseParameter1_serum",
                "noiseDistribution": "normal",
            }
        ]
    )
    measurements = pd.DataFrame(
        [
            {
                "observableId": "serum",
                "simulationConditionId": condition,
                "measurement": value,
                "time": day,
                "noiseParameters": sd,
                "datasetId": dataset,
            }
            for condition, day, value, sd, dataset in MEASUREMENTS
        ]
    )
    declared = {p.name: p for p in model.parameters}
    parameters = pd.DataFrame(
        [
            {
                "parameterId": name,
                "parameterName": declared[name].description or name,
                "parameterScale": "log10",
                "lowerBound": declared[name].value / 10.0,
                "upperBound": declared[name].value * 10.0,
                "nominalValue": declared[name].value,
                "estimate": 1,
            }
            for name in ESTIMATED
        ]
    )
    problem = "\n".join(
        [
            "format_version: 1",
            "parameter_file: parameters.tsv",
            "problems:",
            "  - sbml_files: [model.xml]",
            "    condition_files: [conditions.tsv]",
            "    measurement_files: [measurements.tsv]",
            "    observable_files: [observables.tsv]",
            "",
        ]
    )
    tsv = {"sep": "\t", "index": False, "lineterminator": "\n"}
    return {
        "model.xml": write_sbml(doc),
        "conditions.tsv": conditions.to_csv(**tsv),
        "observables.tsv": observables.to_csv(**tsv),
        "measurements.tsv": measurements.to_csv(**tsv, float_format=lambda v: f"{v:g}" if np.isfinite(v) else ""),
        "parameters.tsv": parameters.to_csv(**tsv),
        "problem.yaml": problem,
    }


def write_petab(folder: Path) -> list[Path]:
    """Write the PEtab problem into ``folder`` (created if missing); the paths written."""
    return write_texts(folder, petab_tables())
