"""Honest proofs verify across trace sizes and parameter shapes (FRI arity, final degree,
blowup), including the edge cases where no FRI layer is folded at all."""

import pytest

from isoperp.stark.airs import fibsq, poseidon2_chain, range_check
from isoperp.stark.params import Floor, ProofParams
from isoperp.stark.proof import encode
from isoperp.stark.prover import prove
from isoperp.stark.verifier import verify

PARAMS = [
    ProofParams(),
    ProofParams(fri_log_arity=1),
    ProofParams(fri_log_arity=3, fri_log_final=2),
    ProofParams(log_blowup=4, fri_log_final=0),
    ProofParams(fri_log_arity=3, fri_log_final=0, grinding_bits=0),
]
STATEMENTS = {
    "fibsq-3": lambda: fibsq.build(3),
    "fibsq-2000": lambda: fibsq.build(2000),
    "chain-1": lambda: poseidon2_chain.build(1),
    "chain-3": lambda: poseidon2_chain.build(3),
    "logup-3": lambda: range_check.build([1, 2, 3]),
}


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_honest_proofs_verify_for_every_parameter_shape(name: str) -> None:
    air, trace = STATEMENTS[name]()
    for params in PARAMS:
        proof = prove(air, trace, params)
        assert len(proof.fri_roots) == params.fri_layers(proof.log_trace)
        assert proof.final_poly.shape[0] == 1 << params.final_log_degree(proof.log_trace)
        verdict = verify(encode(proof), Floor(min_conjectured_bits=0))
        assert verdict.accepted, (name, params, verdict.reason)
