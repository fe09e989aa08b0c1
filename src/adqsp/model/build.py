"""Assemble the full model (PK + receptor + disease + clinical read-outs) for one drug or placebo."""

from __future__ import annotations

from functools import lru_cache

from adqsp.disease.skin import disease_block
from adqsp.endpoints.scores import endpoints_block
from adqsp.model.codegen import CompiledModel, compile_model
from adqsp.model.declaration import Model, combine
from adqsp.pk.models import no_drug_block, pk_block
from adqsp.receptor.qss import receptor_parameters


def build_model(drug: str | None = "dupilumab", pk_model: str | None = None) -> Model:
    """The one declared model of an arm: ``drug=None`` is placebo (no drug compartments)."""
    pk = no_drug_block() if drug is None else pk_block(drug, pk_model)
    receptor = Model(name="receptor", parameters=receptor_parameters(), states=(), assignments=(), rates={})
    return combine(f"adqsp_{drug or 'placebo'}", pk, receptor, disease_block(), endpoints_block())


@lru_cache(maxsize=16)
def compiled(drug: str | None = "dupilumab", pk_model: str | None = None) -> CompiledModel:
    """The compiled model of an arm (cached: compiling is pure)."""
    return compile_model(build_model(drug, pk_model))
