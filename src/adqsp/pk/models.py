"""Population PK of a drug, declared as a model part from its record (time in days, amounts in mg).

The structure comes from a small vocabulary (:class:`~adqsp.drugs.record.PkModelTable`): first-order or transit
absorption from a depot (none for intravenous doses), one or two compartments parameterised by rate constants (ke,
kcp, kpc) or by clearances and volumes (CL, Q, Vp), linear and/or Michaelis-Menten elimination, and power or linear
covariate effects. Record key ``X`` becomes the parameter ``pk_X``; a parameter with covariate effects has an
individual value ``pk_X_i``. The block defines ``<drug>_serum_mg_L``, ``<drug>_skin_mg_L`` and ``<drug>_skin_nM``.
"""

from __future__ import annotations

from collections.abc import Callable

from adqsp.drugs.record import CovariateEffect, DrugRecord, PkModelTable
from adqsp.errors import InputError
from adqsp.model.declaration import Assignment, DoseTarget, Model, Parameter, State
from adqsp.model.units import NM_PER_MG_L_PER_KDA

COVARIATES = (Parameter("WT", 75.0, "kg", "covariate; reference weight of the PK models", description="body weight"),)
#: the dose state of each route (intravenous doses enter the central compartment)
DEPOT = {"subcutaneous": "sc_depot", "oral": "gut_depot"}
AMOUNT_SCALE = 100.0  # mg: typical amount in a PK compartment (tolerances are relative to it)


def pk_model_of(record: DrugRecord, pk_model: str | None, field: str = "pk_model") -> PkModelTable:
    """The named PK model of the record (its default when None)."""
    name = pk_model or record.default_pk_model
    if name not in record.pk_models:
        allowed = ", ".join(record.pk_models)
        raise InputError(field, f"unknown PK model {name!r} for {record.name} (allowed: {allowed})")
    return record.pk_models[name]


def check_pk_model(record: DrugRecord | None, pk_model: str | None, field: str = "pk_model") -> None:
    """``pk_model`` is None or one of the record's PK models (placebo, ``record`` None, has none)."""
    if pk_model is None:
        return
    if record is None:
        raise InputError(field, "needs a drug (placebo has no PK model)")
    pk_model_of(record, pk_model, field)


def pk_block(record: DrugRecord, pk_model: str | None = None) -> Model:
    """The PK part of the model for one drug, from its record."""
    pk = pk_model_of(record, pk_model)
    drug = record.name
    parameters, individual = _parameters(record, pk)

    def value(key: str) -> str:
        return f"pk_{key}_i" if key in individual else f"pk_{key}"

    states, rates, absorbed = _absorption(record.route, pk)
    states += (State("central", 0.0, "mg", "central (serum) amount", scale=AMOUNT_SCALE),)
    central = [("+", absorbed)] if absorbed else []
    if "linear" in pk.elimination:
        linear = f"{value('CL')} / {value('Vc')}" if pk.clearances else value("ke")
        central.append(("-", f"{linear} * central"))
    if pk.compartments == 2:
        out, back = _distribution(pk, value)
        states += (State("peripheral", 0.0, "mg", "peripheral amount", scale=AMOUNT_SCALE),)
        central += [("-", out), ("+", back)]
        rates["peripheral"] = f"{out} - {back}"
    if "michaelis_menten" in pk.elimination:
        # saturable elimination of a non-negative concentration: a state the solver leaves a hair below zero relaxes
        # back to zero instead of running away to the spurious root -Vmax/ke of the unclipped expression
        c = f"max(central / {value('Vc')}, 0.0)"
        central.append(("-", f"{value('Vmax')} * {value('Vc')} * {c} / ({value('Km')} + {c})"))
    rates["central"] = _sum(central)
    concentrations = (
        Assignment(
            f"{drug}_serum_mg_L", f"central / {value('Vc')}", "mg/L", f"{drug} serum concentration", "serum_mg_L"
        ),
        Assignment(
            f"{drug}_skin_mg_L",
            f"skin_partition * max({drug}_serum_mg_L, 0.0)",
            "mg/L",
            f"{drug} skin interstitial concentration",
        ),
        Assignment(
            f"{drug}_skin_nM",
            f"{drug}_skin_mg_L * {NM_PER_MG_L_PER_KDA} / drug_mw_kDa",
            "nM",
            f"{drug} skin interstitial concentration",
        ),
    )
    return Model(
        name=f"pk_{drug}_{pk_model or record.default_pk_model}",
        parameters=parameters,
        states=states,
        assignments=(*_individual(pk, individual), *_transit_rate(pk), *concentrations),
        rates=rates,
        dose_target=DoseTarget(drug=drug, state=DEPOT.get(record.route, "central"), bioavailability="pk_F"),
        correlations=tuple((f"pk_{a}", f"pk_{b}", rho) for a, b, rho in pk.correlations),
    )


def no_drug_block() -> Model:
    """Placebo: no drug, only the covariates."""
    return Model(name="pk_none", parameters=COVARIATES, states=(), assignments=(), rates={})


def _parameters(record: DrugRecord, pk: PkModelTable) -> tuple[tuple[Parameter, ...], set[str]]:
    """The declared parameters (PK values, covariate effects and values, distribution) and the keys with effects."""
    p = Parameter
    values = [p(f"pk_{k}", v.value, v.unit, v.source, v.log_sd, v.description) for k, v in pk.parameters.items()]
    if record.route == "intravenous":
        values.append(p("pk_F", 1.0, "dimensionless", "intravenous: the whole dose enters the central compartment"))
    effects = []
    for cov in pk.covariates:
        stem = _effect_stem(cov)
        kind = "exp" if cov.effect == "power" else "coef"
        what = "exponent" if cov.effect == "power" else "slope per unit"
        effects += [
            p(
                f"{stem}_{kind}",
                cov.coefficient,
                _coefficient_unit(cov),
                cov.source,
                description=f"{cov.covariate} {what} on {cov.parameter}",
            ),
            p(
                f"{stem}_ref",
                cov.reference,
                _covariate_unit(pk, cov.covariate),
                cov.source,
                description=f"reference {cov.covariate} of the {cov.parameter} effect",
            ),
        ]
    covariates = [
        p(name, v.value, v.unit, v.source, description=v.description) for name, v in pk.covariate_values.items()
    ]
    distribution = (
        p(
            "skin_partition",
            record.skin_partition.value,
            record.skin_partition.unit,
            record.skin_partition.source,
            description=record.skin_partition.description,
        ),
        p(
            "drug_mw_kDa",
            record.molecular_weight_kDa.value,
            "kDa",
            record.molecular_weight_kDa.source,
            description=f"{record.name} molecular weight",
        ),
    )
    params = (*values, *effects, *distribution, *COVARIATES, *covariates)
    return params, {cov.parameter for cov in pk.covariates}


def _effect_stem(cov: CovariateEffect) -> str:
    """The name stem of a covariate effect's parameters: ``pk_<parameter>_<covariate>`` (lower case)."""
    return f"pk_{cov.parameter}_{cov.covariate.lower()}"


def _covariate_unit(pk: PkModelTable, covariate: str) -> str:
    return COVARIATES[0].unit if covariate == "WT" else pk.covariate_values[covariate].unit


def _coefficient_unit(cov: CovariateEffect) -> str:
    return "dimensionless" if cov.effect == "power" else f"1/({cov.covariate} unit)"


def _individual(pk: PkModelTable, keys: set[str]) -> tuple[Assignment, ...]:
    """``pk_X_i``: the typical value times each covariate effect on it, in the record's order."""
    factors: dict[str, list[str]] = {k: [] for k in pk.parameters if k in keys}
    for cov in pk.covariates:
        stem = _effect_stem(cov)
        if cov.effect == "power":
            factors[cov.parameter].append(f"({cov.covariate} / {stem}_ref) ** {stem}_exp")
        else:
            factors[cov.parameter].append(f"(1.0 + {stem}_coef * ({cov.covariate} - {stem}_ref))")
    return tuple(
        Assignment(f"pk_{k}_i", " * ".join([f"pk_{k}", *f]), pk.parameters[k].unit, f"individual {k}")
        for k, f in factors.items()
    )


def _transit_rate(pk: PkModelTable) -> tuple[Assignment, ...]:
    """``pk_ktr = (n + 1) / MTT``: ``n + 1`` is a structural count (``n`` fixes the states), not a parameter."""
    if pk.absorption != "transit":
        return ()
    n = pk.transit_compartments
    return (Assignment("pk_ktr", f"{n + 1}.0 / pk_MTT", "1/day", f"transit rate constant (n + 1) / MTT, n = {n}"),)


def _absorption(route: str, pk: PkModelTable) -> tuple[tuple[State, ...], dict[str, str], str]:
    """Depot and transit states, their rates, and the central compartment's input (empty for intravenous doses)."""
    if route == "intravenous":
        return (), {}, ""
    depot = DEPOT[route]
    label = "SC depot" if route == "subcutaneous" else "gut (oral) depot"
    states = [State(depot, 0.0, "mg", label, scale=AMOUNT_SCALE)]
    if pk.absorption == "first_order":
        return tuple(states), {depot: f"-pk_ka * {depot}"}, f"pk_ka * {depot}"
    n = pk.transit_compartments
    transits = [f"sc_transit{k}" if depot == "sc_depot" else f"gut_transit{k}" for k in range(1, n + 1)]
    states += [
        State(name, 0.0, "mg", f"absorption transit {k}", scale=AMOUNT_SCALE) for k, name in enumerate(transits, 1)
    ]
    rates = {depot: f"-pk_ktr * {depot}"}
    chain = [depot, *transits]
    for before, name in zip(chain[:-2], transits[:-1], strict=True):
        rates[name] = f"pk_ktr * ({before} - {name})"
    rates[transits[-1]] = f"pk_ktr * {chain[-2]} - pk_ka * {transits[-1]}"
    return tuple(states), rates, f"pk_ka * {transits[-1]}"


def _sum(terms: list[tuple[str, str]]) -> str:
    """Signed terms as one expression: ``a - b + c``."""
    (sign, first), *rest = terms
    return ("-" if sign == "-" else "") + first + "".join(f" {s} {term}" for s, term in rest)


def _distribution(pk: PkModelTable, value: Callable[[str], str]) -> tuple[str, str]:
    """Central -> peripheral and peripheral -> central amounts per day."""
    if pk.clearances:
        return f"{value('Q')} / {value('Vc')} * central", f"{value('Q')} / {value('Vp')} * peripheral"
    return f"{value('kcp')} * central", f"{value('kpc')} * peripheral"
