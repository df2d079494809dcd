"""Every one of these proofs must be rejected, and nothing may escape the verifier."""

import dataclasses
import struct

import numpy as np
import pytest

from isoperp.stark.airs import make_air
from isoperp.stark.field import P
from isoperp.stark.params import Floor, ProofParams
from isoperp.stark.proof import Proof, decode, encode
from isoperp.stark.prover import Profile, prove
from isoperp.stark.verifier import verify

from .conftest import SMALL_PARAMS, Builder

LOW_FLOOR = Floor(min_conjectured_bits=90)


def _proof(build: Builder, params: ProofParams = SMALL_PARAMS) -> tuple[Proof, bytes]:
    air, trace = build()
    proof = prove(air, trace, params)
    return proof, encode(proof)


def test_honest_proof_accepted_and_deterministic(example: tuple[str, Builder]) -> None:
    _, build = example
    proof, data = _proof(build)
    verdict = verify(data, LOW_FLOOR)
    assert verdict.accepted, verdict.reason
    assert encode(prove(*build(), SMALL_PARAMS)) == data
    parsed, air = decode(data, make_air)
    assert parsed.public_inputs == air.public_inputs == proof.public_inputs


def test_false_statement_rejected(example: tuple[str, Builder]) -> None:
    _, build = example
    air, trace = build(claimed=12345)
    with pytest.raises(ValueError):
        prove(air, trace, SMALL_PARAMS)  # the honest prover refuses
    data = encode(prove(air, trace, SMALL_PARAMS, check=False))
    verdict = verify(data, LOW_FLOOR)
    assert not verdict.accepted
    assert "composition" in verdict.reason or "FRI" in verdict.reason


def test_single_byte_mutations_all_rejected(
    example: tuple[str, Builder], rng: np.random.Generator
) -> None:
    _, build = example
    _, data = _proof(build)
    positions = rng.choice(len(data), size=min(1000, len(data)), replace=False)
    assert len(positions) == 1000
    reasons: dict[str, int] = {}
    for pos in positions:
        mutated = bytearray(data)
        mutated[pos] ^= int(rng.integers(1, 256))
        verdict = verify(bytes(mutated), LOW_FLOOR)
        assert not verdict.accepted, f"mutation at byte {pos} accepted"
        key = verdict.reason.split(":")[0]
        reasons[key] = reasons.get(key, 0) + 1
    assert not any(r.startswith("rejected (") for r in reasons), reasons  # no stray exception


def test_swapped_roots_rejected(example: tuple[str, Builder]) -> None:
    _, build = example
    proof, _ = _proof(build)
    swapped = dataclasses.replace(
        proof, trace_root=proof.quotient_root, quotient_root=proof.trace_root
    )
    assert not verify(encode(swapped), LOW_FLOOR).accepted
    if proof.fri_roots:
        roots = list(proof.fri_roots)
        roots[0] = proof.trace_root
        assert not verify(encode(dataclasses.replace(proof, fri_roots=roots)), LOW_FLOOR)


def test_changed_answer_with_valid_merkle_path_fails_consistency(
    example: tuple[str, Builder],
) -> None:
    """Commit to a trace LDE with one dishonest row; retry until that row gets queried,
    so its opening carries a valid Merkle path: the DEEP/FRI check must catch it."""
    _, build = example
    air, trace = build()
    for target in range(0, 4096, 7):

        def tamper(name: str, rows: np.ndarray, target: int = target) -> None:
            if name == "trace":
                t = target % rows.shape[0]
                rows[t, 0] = (int(rows[t, 0]) + 1) % P

        prof = Profile()
        proof = prove(air, trace, SMALL_PARAMS, tamper=tamper, profile=prof)
        lde_rows = air.trace_length << SMALL_PARAMS.log_blowup
        if target % lde_rows in prof.queries:
            break
    else:
        pytest.fail("no tampered row was ever queried")
    verdict = verify(encode(proof), LOW_FLOOR)
    assert not verdict.accepted
    assert "Merkle" not in verdict.reason and "FRI" in verdict.reason, verdict.reason


def test_parameters_below_the_floor_rejected(example: tuple[str, Builder]) -> None:
    _, build = example
    weak = ProofParams(log_blowup=3, num_queries=8, grinding_bits=2)
    _, data = _proof(build, weak)
    assert verify(data, Floor(min_conjectured_bits=20)).accepted  # valid, only weak
    v = verify(data, LOW_FLOOR)
    assert not v.accepted and "floor" in v.reason
    v = verify(data, Floor(min_conjectured_bits=0, min_queries=20))
    assert not v.accepted and "queries" in v.reason
    v = verify(data, Floor(min_conjectured_bits=0, min_grinding_bits=8))
    assert not v.accepted and "grinding" in v.reason


def test_replay_with_other_public_inputs_rejected(example: tuple[str, Builder]) -> None:
    _, build = example
    proof, data = _proof(build)
    pub = list(proof.public_inputs)
    pub[-1] = (pub[-1] + 1) % P
    replay = encode(dataclasses.replace(proof, public_inputs=tuple(pub)))
    v = verify(replay, LOW_FLOOR)
    assert not v.accepted and ("composition" in v.reason or "proof of work" in v.reason)
    # without grinding the replay gets past proof of work and fails on the constraints
    proof0 = prove(*build(), dataclasses.replace(SMALL_PARAMS, grinding_bits=0))
    replay0 = encode(dataclasses.replace(proof0, public_inputs=tuple(pub)))
    v = verify(replay0, Floor(min_conjectured_bits=80))
    assert not v.accepted and "composition" in v.reason, v.reason
    v = verify(data, LOW_FLOOR, expected_public_inputs=pub)
    assert not v.accepted and "public inputs" in v.reason
    v = verify(data, LOW_FLOOR, expected_air="isoperp.other.v1")
    assert not v.accepted


def test_grinding_nonce_must_meet_the_claimed_bits(example: tuple[str, Builder]) -> None:
    _, build = example
    proof, _ = _proof(build)
    v = verify(encode(dataclasses.replace(proof, pow_nonce=proof.pow_nonce + 1)), LOW_FLOOR)
    assert not v.accepted


def test_malformed_inputs_rejected_with_clear_errors(example: tuple[str, Builder]) -> None:
    _, build = example
    proof, data = _proof(build)
    cases = {
        b"": "truncated",
        b"ABCD" + data[4:]: "magic",
        data[:4] + struct.pack("<H", 2) + data[6:]: "version",
        data + b"\x00": "trailing",
        data[: len(data) // 2]: "truncated",
    }
    for blob, word in cases.items():
        v = verify(blob, LOW_FLOOR)
        assert not v.accepted and word in v.reason, (word, v.reason)
    for cut in range(0, len(data), max(1, len(data) // 97)):
        assert not verify(data[:cut], LOW_FLOOR).accepted
    # a non-canonical field element (>= p) in the OOD values
    bad = proof.ood_trace_z.copy()
    bad[0, 0] = P
    v = verify(encode(dataclasses.replace(proof, ood_trace_z=bad)), LOW_FLOOR)
    assert not v.accepted and "non-canonical" in v.reason
    bad_rows = proof.trace_open.rows.copy()
    bad_rows[0, 0] = 0xFFFFFFFF
    op = dataclasses.replace(proof.trace_open, rows=bad_rows)
    v = verify(encode(dataclasses.replace(proof, trace_open=op)), LOW_FLOOR)
    assert not v.accepted and "non-canonical" in v.reason
    # oversized counts: more opened leaves than queries, absurd trace length / queries
    too_many = dataclasses.replace(
        proof.trace_open, rows=np.repeat(proof.trace_open.rows, 40, axis=0)[:40]
    )
    v = verify(encode(dataclasses.replace(proof, trace_open=too_many)), LOW_FLOOR)
    assert not v.accepted and "leaf count" in v.reason
    name_len = data[12]
    log_pos = 13 + name_len
    for value, word in ((60, "trace length"), (0, "trace length"), (24, "trace length")):
        blob = data[:log_pos] + bytes([value]) + data[log_pos + 1 :]
        v = verify(blob, LOW_FLOOR)
        assert not v.accepted and word in v.reason, v.reason
    blob = data[:6] + bytes([6]) + data[7:]  # blowup 64 with a 2^24 trace: two-adicity
    blob = blob[:log_pos] + bytes([24]) + blob[log_pos + 1 :]
    v = verify(blob, LOW_FLOOR)
    assert not v.accepted and "two-adicity" in v.reason, v.reason
    blob = data[:7] + struct.pack("<H", 60000) + data[9:]  # queries
    v = verify(blob, LOW_FLOOR)
    assert not v.accepted and "parameters" in v.reason
    # an unknown AIR name
    blob = data[:13] + b"X" + data[14:]
    v = verify(blob, LOW_FLOOR)
    assert not v.accepted and "statement" in v.reason
