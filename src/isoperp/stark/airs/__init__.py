"""Example AIRs and the registry the verifier uses to rebuild a proof's statement."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..air import Air
from .fibsq import FibSqAir
from .poseidon2_chain import Poseidon2ChainAir
from .range_check import RangeCheckAir

REGISTRY: dict[str, Callable[[int, Sequence[int]], Air]] = {
    FibSqAir.name: FibSqAir,
    Poseidon2ChainAir.name: Poseidon2ChainAir,
    RangeCheckAir.name: RangeCheckAir,
}


def register(name: str, factory: Callable[[int, Sequence[int]], Air]) -> None:
    REGISTRY[name] = factory


def make_air(name: str, trace_length: int, public_inputs: Sequence[int]) -> Air:
    try:
        factory = REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown AIR {name!r}") from None
    return factory(trace_length, public_inputs)
