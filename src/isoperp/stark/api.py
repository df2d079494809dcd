"""Convenience entry points: build an example statement by name, choose parameters."""

from __future__ import annotations

import math

from .air import Air
from .airs import fibsq, poseidon2_chain
from .field import Arr
from .params import ProofParams

EXAMPLES = ("fibsq", "poseidon2-chain")


def build_example(name: str, steps: int) -> tuple[Air, Arr]:
    if name == "fibsq":
        return fibsq.build(steps)
    if name == "poseidon2-chain":
        return poseidon2_chain.build(steps)
    raise ValueError(f"unknown example AIR {name!r}; choose from {', '.join(EXAMPLES)}")


def params_for(
    target_bits: int = 100, blowup: int = 8, grinding_bits: int = 10, fri_log_arity: int = 2
) -> ProofParams:
    """The fewest queries reaching ``target_bits`` of conjectured query security."""
    log_b = blowup.bit_length() - 1
    if blowup < 2 or blowup != 1 << log_b:
        raise ValueError("blowup must be a power of two >= 2")
    queries = max(1, math.ceil((target_bits - grinding_bits) / log_b))
    return ProofParams(
        log_blowup=log_b,
        num_queries=queries,
        grinding_bits=grinding_bits,
        fri_log_arity=fri_log_arity,
    )
