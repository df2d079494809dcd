from collections.abc import Callable

import numpy as np
import pytest

from isoperp.stark.air import Air
from isoperp.stark.airs import fibsq, poseidon2_chain
from isoperp.stark.field import Arr
from isoperp.stark.params import ProofParams

# Small statements keep the suite fast; the benchmarks use the full sizes.
SMALL_PARAMS = ProofParams(log_blowup=3, num_queries=30, grinding_bits=8, fri_log_arity=2)

Builder = Callable[..., tuple[Air, Arr]]


def _fib(claimed: int | None = None) -> tuple[Air, Arr]:
    return fibsq.build(63, claimed_output=claimed)


def _chain(claimed: int | None = None) -> tuple[Air, Arr]:
    if claimed is None:
        return poseidon2_chain.build(32)
    return poseidon2_chain.build(32, claimed_output=[claimed] * 16)


@pytest.fixture(params=["fibsq", "poseidon2-chain"])
def example(request: pytest.FixtureRequest) -> tuple[str, Builder]:
    return request.param, (_fib if request.param == "fibsq" else _chain)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)
