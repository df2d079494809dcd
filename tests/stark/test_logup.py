"""Auxiliary columns: a LogUp range check (the mechanism the settlement AIR will use)."""

import dataclasses

import numpy as np
import pytest

from isoperp.stark.airs import range_check
from isoperp.stark.field import P
from isoperp.stark.params import Floor, ProofParams
from isoperp.stark.proof import encode
from isoperp.stark.prover import Profile, ProverError, prove
from isoperp.stark.verifier import verify

from .conftest import SMALL_PARAMS

FLOOR = Floor(min_conjectured_bits=90)


def _values(seed: int = 4) -> list[int]:
    return [int(x) for x in np.random.default_rng(seed).integers(0, 256, 300)]


def test_in_range_values_prove_and_verify() -> None:
    air, trace = range_check.build(_values())
    proof = prove(air, trace, SMALL_PARAMS)
    assert proof.aux_open is not None and proof.ood_aux_z.shape == (4, 4)
    data = encode(proof)
    v = verify(data, FLOOR)
    assert v.accepted, v.reason
    # the aux root is part of the proof: swapping it breaks the proof
    bad = dataclasses.replace(proof, aux_root=proof.trace_root)
    assert not verify(encode(bad), FLOOR).accepted


@pytest.mark.parametrize("bad_value", [256, 1000, P - 1])
def test_out_of_range_value_rejected(bad_value: int) -> None:
    values = _values()
    values[123] = bad_value
    air, trace = range_check.build(values)
    with pytest.raises(ProverError):
        prove(air, trace, SMALL_PARAMS)
    v = verify(encode(prove(air, trace, SMALL_PARAMS, check=False)), FLOOR)
    assert not v.accepted and "composition" in v.reason


def test_forged_multiplicities_rejected() -> None:
    values = _values()
    air, trace = range_check.build(values)
    trace[1, 5] = (trace[1, 5] + 1) % P  # claim one more occurrence of table entry 5
    v = verify(encode(prove(air, trace, SMALL_PARAMS, check=False)), FLOOR)
    assert not v.accepted


def test_tampered_aux_row_with_valid_path_rejected() -> None:
    air, trace = range_check.build(_values()[:200])
    # many queries on a small domain, so a tampered row is soon queried
    params = ProofParams(log_blowup=2, num_queries=120, grinding_bits=0)
    lde_rows = air.trace_length << params.log_blowup
    for target in range(3, lde_rows, 11):

        def tamper(name: str, rows: np.ndarray, target: int = target) -> None:
            if name == "aux":
                rows[target, 2] = (int(rows[target, 2]) + 1) % P

        prof = Profile()
        proof = prove(air, trace, params, tamper=tamper, profile=prof)
        if target in prof.queries:
            break
    else:
        pytest.fail("tampered aux row never queried")
    v = verify(encode(proof), FLOOR)
    assert not v.accepted and "Merkle" not in v.reason and "FRI" in v.reason, v.reason


def test_aux_proof_byte_mutations_rejected() -> None:
    air, trace = range_check.build(_values())
    data = encode(prove(air, trace, SMALL_PARAMS))
    rng = np.random.default_rng(77)
    for pos in rng.choice(len(data), size=150, replace=False):
        mutated = bytearray(data)
        mutated[pos] ^= int(rng.integers(1, 256))
        assert not verify(bytes(mutated), FLOOR).accepted
