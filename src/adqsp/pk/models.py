"""Population PK of the antibodies, declared as model parts (time in days, amounts in mg).

Dupilumab: Kovalenko 2020 models 1, 3 (default) and 4, and Kovalenko 2016. Tralokinumab: Soehoel 2022.
Lebrikizumab: Zhu 2017. Values as in ``reference/pk_parameters.csv``. Each block defines
``<drug>_serum_mg_L`` and ``<drug>_skin_nM``; drugs absent from a model are declared with zero concentration
so the receptor layer is one declaration for every arm.
"""

from __future__ import annotations

import math

from adqsp.errors import InputError
from adqsp.model.declaration import Assignment, DoseTarget, Model, Parameter, State

DRUGS = ("dupilumab", "tralokinumab", "lebrikizumab")
DUPILUMAB_PK_MODELS = ("kovalenko2020_model3", "kovalenko2020_model1", "kovalenko2020_model4", "kovalenko2016")
#: PK models of each drug, the default first
PK_MODELS = {"dupilumab": DUPILUMAB_PK_MODELS, "tralokinumab": ("soehoel2022",), "lebrikizumab": ("zhu2017",)}
DEFAULT_PK_MODEL = {drug: models[0] for drug, models in PK_MODELS.items()}

K20 = "Kovalenko P et al. Clin Pharmacol Drug Dev 2020;9:756"
K20M3 = f"{K20} (model 3)"
K16 = "Kovalenko P et al. CPT Pharmacometrics Syst Pharmacol 2016;5:617"
SOEHOEL = "Soehoel A, Larsen MS, Timmermann S. Clin Pharmacol Drug Dev 2022;11:910 (tralokinumab population PK)"
ZHU = "Zhu R et al. Pulm Pharmacol Ther 2017;46:88 (lebrikizumab population PK)"
SKIN_PARTITION = Parameter(
    "skin_partition",
    0.157,
    "dimensionless",
    "Shah DK, Betts AM. mAbs 2013;5:297 (antibody biodistribution coefficient, skin)",
    description="skin interstitial / serum antibody concentration ratio, applied instantaneously",
)
MW_IGG = Parameter("igg_mw_kDa", 147.0, "kDa", "IgG4 molecular weight (reference/pk_parameters.csv)")
COVARIATES = (Parameter("WT", 75.0, "kg", "covariate; reference weight of the PK models", description="body weight"),)
_MODEL4_COVARIATES = (
    Parameter("ALB", 44.0, "g/L", f"covariate; reference value assumed in the {K20} transcription"),
    Parameter("BMI", 26.0, "kg/m^2", f"covariate; reference value assumed in the {K20} transcription"),
    Parameter("EASI_PK", 32.0, "points", f"covariate (baseline EASI); reference value of {K20} model 4"),
    Parameter("WHITE", 0.0, "dimensionless", "covariate indicator (1 = White race)"),
)


def pk_block(drug: str, pk_model: str | None = None) -> Model:
    """The PK part of the model for one drug (plus zero-concentration stand-ins for the others)."""
    if drug not in DRUGS:
        raise InputError("drug", f"unknown drug {drug!r} (allowed: {', '.join(DRUGS)}, or None for placebo)")
    pk_model = pk_model or DEFAULT_PK_MODEL[drug]
    if pk_model not in PK_MODELS[drug]:
        raise InputError(
            "pk_model", f"unknown PK model {pk_model!r} for {drug} (allowed: {', '.join(PK_MODELS[drug])})"
        )
    if drug == "dupilumab":
        params, states, assigns, rates, corr = _dupilumab(pk_model)
    else:
        params, states, assigns, rates, corr = _two_compartment_linear(drug)
    observables = (
        Assignment(f"{drug}_serum_mg_L", "central / pk_Vc_i", "mg/L", f"{drug} serum concentration"),
        Assignment(
            f"{drug}_skin_mg_L",
            f"skin_partition * max({drug}_serum_mg_L, 0.0)",
            "mg/L",
            f"{drug} skin interstitial concentration",
        ),
        Assignment(
            f"{drug}_skin_nM",
            f"{drug}_skin_mg_L * 1000.0 / igg_mw_kDa",
            "nM",
            f"{drug} skin interstitial concentration",
        ),
    )
    absent = tuple(Assignment(f"{d}_skin_nM", "0.0", "nM", f"{d} not given in this model") for d in DRUGS if d != drug)
    return Model(
        name=f"pk_{drug}_{pk_model}",
        parameters=(
            *params,
            SKIN_PARTITION,
            MW_IGG,
            *COVARIATES,
            *(_MODEL4_COVARIATES if pk_model == "kovalenko2020_model4" else ()),
        ),
        states=states,
        assignments=(*assigns, *observables, *absent),
        rates=rates,
        dose_target=DoseTarget(drug=drug, state="sc_depot", bioavailability="pk_F"),
        correlations=corr,
    )


def no_drug_block() -> Model:
    """Placebo: every drug concentration is zero."""
    return Model(
        name="pk_none",
        parameters=COVARIATES,
        states=(),
        assignments=tuple(Assignment(f"{d}_skin_nM", "0.0", "nM", f"{d} not given") for d in DRUGS),
        rates={},
    )


def _dupilumab(pk_model: str):
    p = Parameter
    if pk_model == "kovalenko2016":
        params = (
            p("pk_Vc", 2.74, "L", K16, description="central volume at 75 kg"),
            p("pk_Vc_wt_exp", 0.705, "dimensionless", K16),
            p("pk_ke", 0.0459, "1/day", K16, description="linear elimination rate constant"),
            p("pk_kcp", 0.0652, "1/day", K16, description="central -> peripheral (k23)"),
            p("pk_kpc", 0.129, "1/day", K16, description="peripheral -> central (k32)"),
            p("pk_ka", 0.254, "1/day", K16, description="first-order absorption"),
            p("pk_Vmax", 0.968, "mg/L/day", K16, description="Michaelis-Menten elimination capacity"),
            p("pk_Km", 0.01, "mg/L", K16),
            p("pk_F", 0.607, "dimensionless", K16, description="SC bioavailability"),
        )
        states = (State("sc_depot", 0.0, "mg", "SC depot", scale=100.0),)
        absorbed = "pk_ka * sc_depot"
        rates = {"sc_depot": "-pk_ka * sc_depot"}
        return (params, (*states, *_central_states()), _vc_assignment(), {**rates, **_central_rates(absorbed)}, ())
    src = {
        "kovalenko2020_model1": f"{K20} (model 1)",
        "kovalenko2020_model3": K20M3,
        "kovalenko2020_model4": f"{K20} (model 4)",
    }[pk_model]
    vc, wt_exp, ke, ka, f = {
        "kovalenko2020_model1": (2.48, 0.711, 0.0534, 0.256, 0.643),
        "kovalenko2020_model3": (2.76, 0.919, 0.0448, 0.306, 0.642),
        "kovalenko2020_model4": (2.74, 0.817, 0.0477, 0.306, 0.642),
    }[pk_model]
    sd = {  # log-scale SDs of inter-individual variability
        "kovalenko2020_model1": {"pk_Vc": 0.192, "pk_ke": 0.285, "pk_ka": 0.474, "pk_Vmax": 0.236, "pk_MTT": 0.525},
        "kovalenko2020_model3": {"pk_Vc": 0.216, "pk_ke": 0.301},
        "kovalenko2020_model4": {"pk_Vc": 0.206, "pk_ke": 0.293},
    }[pk_model]
    corr = {
        "kovalenko2020_model3": (("pk_Vc", "pk_ke", -0.373),),
        "kovalenko2020_model4": (("pk_Vc", "pk_ke", -0.450),),
    }.get(pk_model, ())
    sd_src = f"{K20} Supplementary Table S2" if pk_model == "kovalenko2020_model1" else src
    fixed = f"{K20M3}; fixed from the rich-data model 1"
    params = (
        p("pk_Vc", vc, "L", src, sd.get("pk_Vc", 0.0), "central volume at 75 kg (and reference covariates)"),
        p("pk_Vc_wt_exp", wt_exp, "dimensionless", src, description="weight exponent on Vc"),
        p(
            "pk_ke",
            ke,
            "1/day",
            sd_src if "pk_ke" in sd else src,
            sd.get("pk_ke", 0.0),
            "linear elimination rate constant",
        ),
        p("pk_kcp", 0.211, "1/day", fixed, description="central -> peripheral"),
        p("pk_kpc", 0.310, "1/day", fixed, description="peripheral -> central"),
        p("pk_ka", ka, "1/day", src, sd.get("pk_ka", 0.0), "absorption rate constant (last transit -> central)"),
        p("pk_MTT", 0.105, "day", fixed, sd.get("pk_MTT", 0.0), "mean transit time, 3 transit compartments"),
        p("pk_Vmax", 1.07, "mg/L/day", fixed, sd.get("pk_Vmax", 0.0), "Michaelis-Menten (target-mediated) capacity"),
        p("pk_Km", 0.01, "mg/L", fixed),
        p("pk_F", f, "dimensionless", src, description="SC bioavailability"),
    )
    states = (
        State("sc_depot", 0.0, "mg", "SC depot", scale=100.0),
        State("sc_transit1", 0.0, "mg", "absorption transit 1", scale=100.0),
        State("sc_transit2", 0.0, "mg", "absorption transit 2", scale=100.0),
        State("sc_transit3", 0.0, "mg", "absorption transit 3", scale=100.0),
    )
    rates = {
        "sc_depot": "-pk_ktr * sc_depot",
        "sc_transit1": "pk_ktr * (sc_depot - sc_transit1)",
        "sc_transit2": "pk_ktr * (sc_transit1 - sc_transit2)",
        "sc_transit3": "pk_ktr * sc_transit2 - pk_ka * sc_transit3",
    }
    assigns = (
        *_vc_assignment(pk_model == "kovalenko2020_model4"),
        Assignment("pk_ktr", "4.0 / pk_MTT", "1/day", "transit rate constant (n + 1) / MTT, n = 3"),
    )
    if pk_model == "kovalenko2020_model4":
        ke_expr = "pk_ke * (BMI / 26.0) ** 0.368 * (EASI_PK / 32.0) ** 0.143 * (1.0 - 0.123 * WHITE)"
    else:
        ke_expr = "pk_ke"
    assigns = (*assigns, Assignment("pk_ke_i", ke_expr, "1/day", "individual linear elimination rate"))
    return (
        params,
        (*states, *_central_states()),
        assigns,
        {**rates, **_central_rates("pk_ka * sc_transit3", ke="pk_ke_i")},
        corr,
    )


def _vc_assignment(albumin: bool = False) -> tuple[Assignment, ...]:
    expr = "pk_Vc * (WT / 75.0) ** pk_Vc_wt_exp" + (" * (ALB / 44.0) ** (-0.653)" if albumin else "")
    return (Assignment("pk_Vc_i", expr, "L", "individual central volume"),)


def _central_states() -> tuple[State, ...]:
    return (
        State("central", 0.0, "mg", "central (serum) amount", scale=100.0),
        State("peripheral", 0.0, "mg", "peripheral amount", scale=100.0),
    )


def _central_rates(absorbed: str, ke: str = "pk_ke") -> dict[str, str]:
    # saturable elimination of a non-negative concentration: a state that the solver leaves a hair below zero
    # must relax back to zero, not run away to the spurious root -Vmax/ke of the unclipped expression
    mm = "pk_Vmax * pk_Vc_i * max(central / pk_Vc_i, 0.0) / (pk_Km + max(central / pk_Vc_i, 0.0))"
    return {
        "central": f"{absorbed} - {ke} * central - pk_kcp * central + pk_kpc * peripheral - {mm}",
        "peripheral": "pk_kcp * central - pk_kpc * peripheral",
    }


#: published variability of the IL-13 antibodies' population PK models: log-scale SDs, the correlation of CL and
#: Vc, and body-weight exponents (reference weight, then CL, Vc, Vp, Q). Soehoel 2022 Table 2 gives IIV as CV% =
#: sqrt(exp(omega^2) - 1): CL 31.3%, V2 40.1%, correlation 0.61; Zhu 2017 Table 3 gives omega^2: CL 0.105, Vc
#: 0.124, ka 0.154, cov(CL, Vc) 0.0832 (correlation 0.729; those of ka with CL and Vc, 0.016 and 0.032, left out)
_IL13_VARIABILITY = {
    "tralokinumab": (
        {"pk_CL": math.sqrt(math.log1p(0.313**2)), "pk_Vc": math.sqrt(math.log1p(0.401**2))},
        0.61,
        (75.0, 0.873, 0.783, 0.783, 0.873),
    ),
    "lebrikizumab": (
        {"pk_CL": math.sqrt(0.105), "pk_Vc": math.sqrt(0.124), "pk_ka": math.sqrt(0.154)},
        0.0832 / math.sqrt(0.105 * 0.124),
        (70.0, 1.00, 0.814, 0.692, 0.479),
    ),
}


def _two_compartment_linear(drug: str):
    p = Parameter
    table = "Table 2" if drug == "tralokinumab" else "Table 3"
    src = f"{SOEHOEL if drug == 'tralokinumab' else ZHU}, {table} (as transcribed in nlmixr2lib)"
    cl, vc, vp, q, ka, f = {
        "tralokinumab": (0.149, 2.71, 1.44, 0.159, 0.184, 0.761),
        "lebrikizumab": (0.156, 4.10, 1.45, 0.284, 0.239, 0.856),
    }[drug]
    sd, rho, (wt_ref, *exponents) = _IL13_VARIABILITY[drug]
    params = (
        p("pk_CL", cl, "L/day", src, sd["pk_CL"], f"clearance at {wt_ref:g} kg"),
        p("pk_Vc", vc, "L", src, sd["pk_Vc"], f"central volume at {wt_ref:g} kg"),
        p("pk_Vp", vp, "L", src, description=f"peripheral volume at {wt_ref:g} kg"),
        p("pk_Q", q, "L/day", src, description=f"inter-compartmental clearance at {wt_ref:g} kg"),
        p("pk_ka", ka, "1/day", src, sd.get("pk_ka", 0.0), "first-order absorption"),
        p("pk_F", f, "dimensionless", src, description="SC bioavailability"),
        *(
            p(f"pk_{name}_wt_exp", e, "dimensionless", src, description=f"body-weight exponent on {name}")
            for name, e in zip(("CL", "Vc", "Vp", "Q"), exponents, strict=True)
        ),
    )
    states = (State("sc_depot", 0.0, "mg", "SC depot", scale=100.0), *_central_states())
    unit = {"CL": "L/day", "Vc": "L", "Vp": "L", "Q": "L/day"}
    assigns = tuple(
        Assignment(f"pk_{name}_i", f"pk_{name} * (WT / {wt_ref}) ** pk_{name}_wt_exp", u, f"individual {name}")
        for name, u in unit.items()
    )
    rates = {
        "sc_depot": "-pk_ka * sc_depot",
        "central": "pk_ka * sc_depot - pk_CL_i / pk_Vc_i * central - pk_Q_i / pk_Vc_i * central"
        " + pk_Q_i / pk_Vp_i * peripheral",
        "peripheral": "pk_Q_i / pk_Vc_i * central - pk_Q_i / pk_Vp_i * peripheral",
    }
    return params, states, assigns, rates, (("pk_CL", "pk_Vc", rho),)
