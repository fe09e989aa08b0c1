"""The drug-record format: one TOML file per drug, validated by the same schema machinery as scenario files.

A record names the drug and its class and route, gives its molecular weight and skin distribution, one or more
population PK models built from a small vocabulary (absorption, compartments, elimination, covariate effects), its
mechanism as a motif (a receptor chain or cytokine it binds, with binding constants, or the intracellular pathways
it inhibits, with potencies), and its label regimens. Every number is a
:class:`Value` with a unit and a source. ``adqsp drug show NAME`` prints a shipped record to copy and edit.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from adqsp.schema import DoseTable, LogSd, Name, real
from adqsp.schema import _Table as Table
from adqsp.validation import fail

#: a drug's name is part of model names: lower-case letters, digits and underscores, starting with a letter
DRUG_NAME = r"^[a-z][a-z0-9_]*$"
MAX_DRUG_NAME = 40
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=2000)]
DrugName = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, pattern=DRUG_NAME, min_length=1, max_length=MAX_DRUG_NAME),
]
Route = Literal["subcutaneous", "intravenous", "oral"]
Absorption = Literal["first_order", "transit", "zero_first_order"]
Elimination = Literal["linear", "michaelis_menten", "tmdd_qss"]
Chain = Literal["IL-4Ra", "IL-13Ra1", "gamma-c"]
Ligand = Literal["IL-4", "IL-13"]
#: PK parameter keys of the vocabulary and their units (each becomes the model parameter ``pk_<key>``)
PK_UNITS = {
    "ka": "1/day",
    "MTT": "day",
    "F": "dimensionless",
    "fz": "dimensionless",
    "D": "day",
    "lag": "day",
    "Vc": "L",
    "ke": "1/day",
    "kcp": "1/day",
    "kpc": "1/day",
    "CL": "L/day",
    "Vp": "L",
    "Q": "L/day",
    "Vmax": "mg/L/day",
    "Km": "mg/L",
    "R0": "nM",
    "kdeg": "1/day",
    "kint": "1/day",
    "KSS": "nM",
}
#: PK keys that shape dose events (the fraction absorbed by zero order, the lag, the zero-order duration): the same
#: for every patient, as the engines stop all patients together at each event
DOSE_EVENT_KEYS = ("fz", "lag", "D")
#: covariates the virtual population draws per patient; others take the typical value their PK model declares
SAMPLED_COVARIATES = ("WT",)
COVARIATE_NAME = r"^[A-Z][A-Z0-9_]*$"


class Frozen(Table):
    """A table whose values cannot change once read (hashable: motifs key compiled models)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Value(Frozen):
    """A number with its unit and source (a citation, or 'assumed: <why>')."""

    value: real(ge=-1e12, le=1e12) = Field(description="the number, in `unit`")
    unit: Text = Field(description="its unit")
    source: Text = Field(description="a citation, or 'assumed: <why>'")
    description: str = Field("", description="what it is")


class PkValue(Value):
    """A PK parameter's typical value, with its between-patient log-SD."""

    log_sd: LogSd = Field(0.0, description="between-patient SD of log(value)")


class CovariateEffect(Table):
    """A covariate effect on a PK parameter: ``(C / reference) ** coefficient`` (power) or
    ``1 + coefficient * (C - reference)`` (linear)."""

    parameter: str = Field(description="the PK parameter it scales (a key of `parameters`)")
    covariate: Annotated[str, StringConstraints(pattern=COVARIATE_NAME, max_length=30)] = Field(
        description="the covariate (WT is drawn per patient; others need a typical value in `covariate_values`)"
    )
    effect: Literal["power", "linear"] = Field("power", description="power or linear")
    reference: real(ge=-1e12, le=1e12) = Field(description="the covariate's reference value (same unit)")
    coefficient: real(ge=-1e3, le=1e3) = Field(description="exponent (power) or slope per unit (linear)")
    source: Text = Field(description="a citation")


class PkModelTable(Table):
    """One population PK model: structure from the vocabulary, typical values, variability and covariates."""

    source: Text = Field(description="the publication of the model")
    absorption: Absorption = Field(
        "first_order",
        description="first_order (depot -> central, ka), transit (depot -> n transits -> central) or"
        " zero_first_order (parallel: a fraction fz of the bioavailable dose enters the central compartment at a"
        " constant rate over D days, the rest the depot, absorbed at ka); any of them may have a lag time (lag)",
    )
    transit_compartments: Annotated[int, Field(strict=True, ge=1, le=20)] = Field(
        None, description="number of transit compartments (transit absorption; rate (n + 1) / MTT)"
    )
    compartments: Literal[1, 2] = Field(2, description="1 or 2 disposition compartments")
    elimination: list[Elimination] = Field(
        ["linear"],
        min_length=1,
        description="linear and/or michaelis_menten or tmdd_qss (target-mediated drug disposition, quasi-steady-state"
        " approximation: target R0, turnover kdeg, complex internalisation kint, constant KSS)",
    )
    parameters: dict[str, PkValue] = Field(description="typical values by key (ka, MTT, F, Vc, ke or CL, ...)")
    correlations: list[tuple[str, str, real(ge=-1.0, le=1.0)]] = Field(
        [], description="correlations of the log-values of two parameters, [name, name, rho]"
    )
    covariates: list[CovariateEffect] = Field([], description="covariate effects")
    covariate_values: dict[str, Value] = Field(
        {}, description="typical values of covariates not drawn per patient (e.g. albumin)"
    )

    def required(self, route: str) -> set[str]:
        """The parameter keys this structure needs."""
        keys = {"Vc"}
        if route != "intravenous":
            keys |= {"ka", "F"} | ({"MTT"} if self.absorption == "transit" else set())
            keys |= {"fz", "D"} if self.absorption == "zero_first_order" else set()
        if "linear" in self.elimination:
            keys.add("CL" if self.clearances else "ke")
        if self.compartments == 2:
            keys |= {"Vp", "Q"} if self.clearances else {"kcp", "kpc"}
        if "michaelis_menten" in self.elimination:
            keys |= {"Vmax", "Km"}
        if "tmdd_qss" in self.elimination:
            keys |= {"R0", "kdeg", "kint", "KSS"}
        return keys

    @property
    def clearances(self) -> bool:
        """Parameterised by clearances and volumes (CL, Q, Vp) rather than rate constants (ke, kcp, kpc)."""
        return bool({"CL", "Q", "Vp"} & set(self.parameters))

    @model_validator(mode="after")
    def _consistent(self) -> PkModelTable:
        if self.absorption == "transit" and self.transit_compartments is None:
            fail(("transit_compartments",), "needed with transit absorption", None)
        if self.absorption != "transit" and self.transit_compartments is not None:
            fail(("transit_compartments",), "only with transit absorption", self.transit_compartments)
        if len(set(self.elimination)) != len(self.elimination):
            fail(("elimination",), "lists a pathway twice", self.elimination)
        paired = [name for a, b, _ in self.correlations for name in (a, b)]
        twice = sorted({name for name in paired if paired.count(name) > 1})
        if twice:  # the sampler correlates pairs one at a time: a chain of pairs would not give these correlations
            fail(("correlations",), f"{twice[0]} is in more than one pair (give each parameter one partner)", None)
        if any(cov.parameter == "R0" for cov in self.covariates):
            fail(("covariates",), "R0 is the target's initial level: it takes no covariate effect", "R0")
        if {"michaelis_menten", "tmdd_qss"} <= set(self.elimination):
            fail(("elimination",), "michaelis_menten and tmdd_qss are two forms of one target route: give one", None)
        for key, value in self.parameters.items():
            if key not in PK_UNITS:
                fail(("parameters", key), f"unknown PK parameter (allowed: {', '.join(PK_UNITS)})", key)
            if value.unit != PK_UNITS[key]:
                fail(("parameters", key, "unit"), f"must be {PK_UNITS[key]!r}", value.unit)
            if not value.value > 0.0:
                fail(("parameters", key, "value"), "must be > 0", value.value)
        if "fz" in self.parameters and not self.parameters["fz"].value <= 1.0:
            fail(("parameters", "fz", "value"), "is a fraction of the dose: must be <= 1", self.parameters["fz"].value)
        for key in DOSE_EVENT_KEYS:
            if key in self.parameters and self.parameters[key].log_sd:
                fail(
                    ("parameters", key, "log_sd"), "shapes the dose events, the same for all patients: no log_sd", None
                )
        for i, cov in enumerate(self.covariates):
            if cov.parameter in (*DOSE_EVENT_KEYS, "F"):
                fail(("covariates", i, "parameter"), "dose events read F, fz, lag and D as given: no covariate", None)
        names = set(self.parameters)
        for i, (a, b, _) in enumerate(self.correlations):
            for name in (a, b):
                if name not in names or self.parameters[name].log_sd == 0.0:
                    fail(("correlations", i), f"{name!r} is not a parameter with a log_sd", [a, b])
        for i, cov in enumerate(self.covariates):
            if cov.parameter not in names:
                fail(("covariates", i, "parameter"), "not a key of parameters", cov.parameter)
            if cov.covariate not in SAMPLED_COVARIATES and cov.covariate not in self.covariate_values:
                fail(("covariates", i, "covariate"), "needs a typical value in covariate_values", cov.covariate)
            if cov.effect == "power" and not cov.reference > 0.0:
                fail(("covariates", i, "reference"), "must be > 0 for a power effect", cov.reference)
        return self


class ChainBinding(Frozen):
    """Motif: the drug binds a receptor chain, so the chain cannot take its cytokine (e.g. dupilumab, IL-4Ra)."""

    motif: Literal["binds_receptor_chain"]
    chain: Chain = Field(description="the receptor chain bound: IL-4Ra, IL-13Ra1 or gamma-c")
    kd_nM: Value = Field(description="equilibrium dissociation constant, nM")
    kon: Value = Field(description="association rate constant, 1/(M*s)")
    bound_internalisation: Value = Field(description="internalisation of the drug:chain complex, 1/min")


class LigandBinding(Frozen):
    """Motif: the drug binds a cytokine in solution; the complex either cannot bind its receptors at all
    (``blocks = "receptor_binding"``, e.g. tralokinumab) or binds IL-13Ra1 but cannot recruit IL-4Ra
    (``blocks = "il4ra_recruitment"``, IL-13 only, e.g. lebrikizumab)."""

    motif: Literal["binds_ligand"]
    ligand: Ligand = Field(description="the cytokine bound: IL-4 or IL-13")
    blocks: Literal["receptor_binding", "il4ra_recruitment"] = Field(description="what the bound cytokine cannot do")
    kd_nM: Value = Field(description="equilibrium dissociation constant, nM")
    binding_sites: Value = Field(description="cytokine binding sites per drug molecule")
    kon: Value | None = Field(
        None,
        description="association rate, 1/(M*s) (IL-13 binders: the tissue turnover of the complexes; default: a"
        " typical antibody's 1e6, assumed)",
    )
    complex_clearance: Value | None = Field(
        None,
        description="receptor-mediated clearance of the drug:cytokine complex in tissue as a fraction of the free"
        " cytokine's clearance rate, 0-1 (e.g. uptake through IL-13Ra2); default 0: the complex leaves the tissue with"
        " its interstitial fluid only",
    )

    @model_validator(mode="after")
    def _recruitment_of_il13(self) -> LigandBinding:
        if self.blocks == "il4ra_recruitment" and self.ligand != "IL-13":
            fail(("blocks",), "il4ra_recruitment is a motif of IL-13 binders only", self.blocks)
        if self.kon is not None and not self.kon.value > 0.0:
            fail(("kon", "value"), "must be > 0", self.kon.value)
        if self.complex_clearance is not None and not 0.0 <= self.complex_clearance.value <= 1.0:
            fail(("complex_clearance", "value"), "must be between 0 and 1", self.complex_clearance.value)
        return self


#: intracellular pathways an inhibitor may act on: ``calcineurin`` (T-cell activation: the calcineurin-NFAT step
#: that T-cell receptor signalling needs for proliferation and cytokine transcription, in every T-helper subset) and
#: the JAK pairs of the cytokine receptors: ``jak1_jak3`` (type I IL-4 receptor, IL-4Ra/gamma-c), ``jak1_tyk2`` (type
#: II IL-4 receptor, IL-4Ra/IL-13Ra1; IL-22 receptor), ``jak1_jak2`` (IFN-gamma, IL-31 and TSLP receptors)
Pathway = Literal["calcineurin", "jak1_jak3", "jak1_tyk2", "jak1_jak2"]


class PathwayInhibition(Frozen):
    """One pathway an inhibitor acts on: ``emax x C / (C + ic50)`` of its activity lost at the concentration ``C``
    of the drug's PK model (central compartment, in the matrix of that model: whole blood, plasma or serum)."""

    pathway: Pathway = Field(
        description="the pathway inhibited: calcineurin (T-cell activation), jak1_jak3 (type I IL-4 receptor),"
        " jak1_tyk2 (type II IL-4 receptor, IL-22 receptor) or jak1_jak2 (IFN-gamma, IL-31 and TSLP receptors)"
    )
    ic50_mg_L: Value = Field(description="concentration giving half the maximal inhibition, mg/L")
    emax: Value = Field(description="maximal fraction of the pathway's activity inhibited (0-1)")

    @model_validator(mode="after")
    def _ranges(self) -> PathwayInhibition:
        if not self.ic50_mg_L.value > 0.0:
            fail(("ic50_mg_L", "value"), "must be > 0", self.ic50_mg_L.value)
        if not 0.0 <= self.emax.value <= 1.0:
            fail(("emax", "value"), "must be between 0 and 1", self.emax.value)
        return self


class InhibitsPathways(Frozen):
    """Motif: a drug inside cells that inhibits intracellular signalling pathways, each by a direct Emax function
    of its concentration (e.g. cyclosporine: calcineurin; a JAK inhibitor: the JAK pairs of several cytokine
    receptors); it binds no receptor chain and no cytokine."""

    motif: Literal["inhibits_pathways"]
    inhibits: list[PathwayInhibition] = Field(min_length=1, description="the pathways inhibited, each once")

    @model_validator(mode="after")
    def _once(self) -> InhibitsPathways:
        pathways = [i.pathway for i in self.inhibits]
        twice = sorted({p for p in pathways if pathways.count(p) > 1})
        if twice:
            fail(("inhibits",), f"pathway {twice[0]} given twice", twice[0])
        return self


Mechanism = Annotated[ChainBinding | LigandBinding | InhibitsPathways, Field(discriminator="motif")]


class LabelRegimen(Table):
    """A regimen of the drug's label, as dose entries of a scenario file."""

    name: Name = Field(description="e.g. 'adult'")
    source: Text = Field(description="the label or publication")
    doses: list[DoseTable] = Field(min_length=1, description="dose entries")


class DrugRecord(Table):
    """One drug: what it is, how it is given, its population PK, where it goes, what it binds, how it is dosed."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: DrugName = Field(
        description="the drug's name: lower-case letters, digits and underscores, starting with a letter (arms name"
        " it by `drug`)"
    )
    drug_class: Text = Field(alias="class", description="e.g. 'monoclonal antibody (human IgG4)'")
    route: Route = Field(description="subcutaneous, intravenous or oral")
    description: str = Field("", description="what the drug does, in a sentence")
    molecular_weight_kDa: Value = Field(description="molecular weight, kDa")
    skin_partition: Value = Field(description="skin interstitial / serum concentration ratio")
    mechanism: Mechanism = Field(
        description="the mechanism motif and its constants: a binds_receptor_chain, binds_ligand or inhibits_pathways"
        " table (sections below)"
    )
    pk_models: dict[str, PkModelTable] = Field(min_length=1, description="population PK models, the default first")
    label_regimens: list[LabelRegimen] = Field([], description="label regimens, the usual adult one first")

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    @property
    def default_pk_model(self) -> str:
        return next(iter(self.pk_models))

    @model_validator(mode="after")
    def _complete(self) -> DrugRecord:
        for name, pk in self.pk_models.items():
            missing = sorted(pk.required(self.route) - set(pk.parameters))
            optional = {"lag"} if self.route != "intravenous" else set()
            extra = sorted(set(pk.parameters) - pk.required(self.route) - optional)
            if missing:
                fail(("pk_models", name, "parameters"), f"needs {', '.join(missing)} for this structure", None)
            if extra:
                fail(("pk_models", name, "parameters", extra[0]), "not used by this structure", None)
        if not self.molecular_weight_kDa.value > 0.0:
            fail(("molecular_weight_kDa", "value"), "must be > 0", self.molecular_weight_kDa.value)
        if not self.skin_partition.value >= 0.0:
            fail(("skin_partition", "value"), "must be >= 0", self.skin_partition.value)
        return self
