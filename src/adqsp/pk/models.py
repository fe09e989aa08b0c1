"""Population PK of a drug, declared as a model part from its record (time in days, amounts in mg).

The structure comes from a small vocabulary (:class:`~adqsp.drugs.record.PkModelTable`): first-order or transit
absorption from a depot (none for intravenous doses), one or two compartments parameterised by rate constants (ke,
kcp, kpc) or by clearances and volumes (CL, Q, Vp), linear and/or Michaelis-Menten elimination, and power or linear
covariate effects. Record key ``X`` becomes the parameter ``pk_X``; a parameter with covariate effects has an
individual value ``pk_X_i``. The block defines ``<drug>_serum_mg_L``, ``<drug>_skin_mg_L`` and ``<drug>_skin_nM``.

Target-mediated drug disposition (``tmdd_qss``; Gibiansky L et al. J Pharmacokinet Pharmacodyn 2008;35:573): the
central state holds the total drug (free and target-bound), a second state the total target (nM); free drug follows
from the quasi-steady state ``free x target_free = KSS x complex``, linear and distributional clearance act on the
free drug, the complex is internalised at ``kint`` and the target turns over at ``kdeg`` around ``R0``. Serum
concentrations are of free drug (``<drug>_serum_total_mg_L``: free and bound).
"""

from __future__ import annotations

from collections.abc import Callable

from adqsp.drugs.record import CovariateEffect, DrugRecord, PkModelTable
from adqsp.errors import InputError
from adqsp.model.declaration import Assignment, DoseInput, DoseTarget, Model, Parameter, State
from adqsp.model.units import NM_PER_MG_L_PER_KDA
from adqsp.pk.interval_mean import TAU, mean_absorption, shape_assignments, unsupported

COVARIATES = (Parameter("WT", 75.0, "kg", "covariate; reference weight of the PK models", description="body weight"),)
#: the dose state of each route (intravenous doses enter the central compartment)
DEPOT = {"subcutaneous": "sc_depot", "oral": "gut_depot"}
#: the input rate (mg/day) of a zero-order absorption into the central compartment, raised and lowered by dose events
ZERO_ORDER = "zero_order_input"
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


def pk_block(record: DrugRecord, pk_model: str | None = None, interval_mean: bool = False) -> Model:
    """The PK part of the model for one drug, from its record; ``interval_mean``: its moving average over the dosing
    interval ``pk_tau`` and the steady-state shape of the concentration over the interval
    (:mod:`adqsp.pk.interval_mean`; the drug must be one it supports)."""
    pk = pk_model_of(record, pk_model)
    drug = record.name
    parameters, individual = _parameters(record, pk)

    def value(key: str) -> str:
        return f"pk_{key}_i" if key in individual else f"pk_{key}"

    if interval_mean:
        reason = unsupported(record, pk)
        if reason:
            raise InputError("dosing", f"interval_mean {reason}")
        states, rates, absorbed, inputs = mean_absorption(pk, DEPOT[record.route])
        parameters = (*parameters, TAU)
    else:
        states, rates, absorbed, inputs = _absorption(record.route, pk)
    tmdd = "tmdd_qss" in pk.elimination
    what = "total (free and target-bound)" if tmdd else "serum"
    states += (State("central", 0.0, "mg", f"central {what} amount", scale=AMOUNT_SCALE),)
    free = f"{drug}_free_mg" if tmdd else "central"
    central = [("+", absorbed)] if absorbed else []
    if "linear" in pk.elimination:
        linear = f"{value('CL')} / {value('Vc')}" if pk.clearances else value("ke")
        central.append(("-", f"{linear} * {free}"))
    if pk.compartments == 2:
        out, back = _distribution(pk, value, free)
        states += (State("peripheral", 0.0, "mg", "peripheral amount", scale=AMOUNT_SCALE),)
        central += [("-", out), ("+", back)]
        rates["peripheral"] = f"{out} - {back}"
    if "michaelis_menten" in pk.elimination:
        # saturable elimination of a non-negative concentration: a state the solver leaves a hair below zero relaxes
        # back to zero instead of running away to the spurious root -Vmax/ke of the unclipped expression
        c = f"max(central / {value('Vc')}, 0.0)"
        central.append(("-", f"{value('Vmax')} * {value('Vc')} * {c} / ({value('Km')} + {c})"))
    target: tuple[Assignment, ...] = ()
    if tmdd:
        target = _tmdd(drug, value)
        r0 = pk.parameters["R0"].value  # the target's own scale sets its tolerance, pM targets included
        states += (State("target", "pk_R0", "nM", "total target (free and drug-bound), central", scale=r0),)
        central.append(
            ("-", f"{value('kint')} * {drug}_complex_nM * {value('Vc')} * drug_mw_kDa / {NM_PER_MG_L_PER_KDA}")
        )
        rates["target"] = f"{value('kdeg')} * ({value('R0')} - target) - ({value('kint')} - {value('kdeg')})" + (
            f" * {drug}_complex_nM"
        )
    rates["central"] = _sum(central)
    serum = f"{free} / {value('Vc')}"
    if interval_mean:  # the serum read-out is the trough; the inhibition reads the interval mean and the shape
        concentrations: tuple[Assignment, ...] = (
            *shape_assignments(pk, value),
            Assignment(f"{drug}_serum_mg_L", serum, "mg/L", f"{drug} serum concentration, mean over the interval"),
            Assignment(
                f"{drug}_serum_trough_mg_L",
                f"{drug}_serum_mg_L * pk_shape_trough",
                "mg/L",
                f"{drug} serum concentration just before a dose (steady state)",
                "serum_mg_L",
            ),
        )
    else:
        concentrations = (
            Assignment(f"{drug}_serum_mg_L", serum, "mg/L", f"{drug} serum concentration (free)", "serum_mg_L"),
        )
    concentrations = (
        *concentrations,
        *(
            (Assignment(f"{drug}_serum_total_mg_L", f"central / {value('Vc')}", "mg/L", f"{drug} serum, total"),)
            if tmdd
            else ()
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
        name=f"pk_{drug}_{pk_model or record.default_pk_model}" + ("_interval_mean" if interval_mean else ""),
        parameters=parameters,
        states=states,
        assignments=(*_individual(pk, individual), *_transit_rate(pk), *target, *concentrations),
        rates=rates,
        dose_target=DoseTarget(drug, "pk_F", inputs),
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
                _coefficient_unit(pk, cov),
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


def _coefficient_unit(pk: PkModelTable, cov: CovariateEffect) -> str:
    """An exponent is dimensionless; a linear slope is per unit of its covariate."""
    unit = _covariate_unit(pk, cov.covariate)
    return "dimensionless" if cov.effect == "power" or unit == "dimensionless" else f"1/({unit})"


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


def _absorption(route: str, pk: PkModelTable) -> tuple[tuple[State, ...], dict[str, str], str, tuple[DoseInput, ...]]:
    """Depot and transit states, their rates, the central compartment's input (empty for intravenous doses) and
    where a dose enters."""
    if route == "intravenous":
        return (), {}, "", (DoseInput("central"),)
    depot = DEPOT[route]
    label = "SC depot" if route == "subcutaneous" else "gut (oral) depot"
    states = [State(depot, 0.0, "mg", label, scale=AMOUNT_SCALE)]
    lag = "pk_lag" if "lag" in pk.parameters else ""
    inputs = (DoseInput(depot, lag=lag),)
    if pk.absorption == "first_order":
        return tuple(states), {depot: f"-pk_ka * {depot}"}, f"pk_ka * {depot}", inputs
    if pk.absorption == "zero_first_order":
        zero = State(ZERO_ORDER, 0.0, "mg/day", "zero-order input into the central compartment", scale=AMOUNT_SCALE)
        inputs = (
            DoseInput(depot, "pk_fz", complement=True, lag=lag),
            DoseInput(ZERO_ORDER, "pk_fz", lag=lag, duration="pk_D"),
        )
        rates = {depot: f"-pk_ka * {depot}", ZERO_ORDER: "0.0"}
        return (*states, zero), rates, f"pk_ka * {depot} + {ZERO_ORDER}", inputs
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
    return tuple(states), rates, f"pk_ka * {transits[-1]}", inputs


def _sum(terms: list[tuple[str, str]]) -> str:
    """Signed terms as one expression: ``a - b + c``."""
    (sign, first), *rest = terms
    return ("-" if sign == "-" else "") + first + "".join(f" {s} {term}" for s, term in rest)


def _distribution(pk: PkModelTable, value: Callable[[str], str], free: str) -> tuple[str, str]:
    """Central -> peripheral (of the ``free`` central amount) and peripheral -> central amounts per day."""
    if pk.clearances:
        return f"{value('Q')} / {value('Vc')} * {free}", f"{value('Q')} / {value('Vp')} * peripheral"
    return f"{value('kcp')} * {free}", f"{value('kpc')} * peripheral"


def _tmdd(drug: str, value: Callable[[str], str]) -> tuple[Assignment, ...]:
    """Total, free and target-bound drug (nM) and the free amount (mg) at the quasi-steady state: free is the root of
    ``free^2 - b free - KSS total = 0``, ``b = total - target - KSS``, written without cancellation for either sign of
    ``b`` (its 4 as ``2 * 2``, the structural numbers of the formula)."""
    total, kss = f"{drug}_total_nM", value("KSS")
    b = f"({total} - target - {kss})"
    root = f"sqrt({b} * {b} + 2.0 * 2.0 * {kss} * {total})"
    return (
        Assignment(
            total,
            f"max(central, 0.0) / {value('Vc')} * {NM_PER_MG_L_PER_KDA} / drug_mw_kDa",
            "nM",
            f"{drug}, total, central",
        ),
        Assignment(
            f"{drug}_free_nM",
            f"where({b} > 0.0, ({b} + {root}) / 2.0, 2.0 * {kss} * {total} / ({root} - {b}))",
            "nM",
            f"{drug} not bound to its target, central",
        ),
        Assignment(f"{drug}_complex_nM", f"{total} - {drug}_free_nM", "nM", f"{drug}:target complex, central"),
        Assignment(
            f"{drug}_free_mg",
            f"{drug}_free_nM * {value('Vc')} * drug_mw_kDa / {NM_PER_MG_L_PER_KDA}",
            "mg",
            f"free {drug}, central",
        ),
    )
