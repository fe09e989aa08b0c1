"""The trial-conduct block of an arm's model: participation, the diary's expectation and the rescue rule."""

from __future__ import annotations

from adqsp.conduct import participation, rescue
from adqsp.model.declaration import Model


def conduct_block() -> Model:
    """The conduct parameters (participation and expectation effects, rescue rule) and their read-outs."""
    return Model(
        name="conduct",
        parameters=(*participation.PARAMETERS, *rescue.PARAMETERS),
        states=(),
        assignments=participation.ASSIGNMENTS,
        rates={},
    )
