"""isoperp.crypto against StarkWare's published vectors, and the fast verifier against both."""

import json
from pathlib import Path
from typing import Any

import fast_stark_crypto
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.crypto import (
    EC_ORDER,
    pedersen_hash,
    precomputed_key,
    public_key,
    sign,
    verify,
    verify_fast,
)

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "starkware_vectors.json").read_text())
SIGNED = VECTORS["signed_messages"]
RFC6979 = VECTORS["rfc6979"]


@pytest.mark.parametrize("case", VECTORS["pedersen"])
def test_pedersen_hash_matches_starkware(case: dict[str, str]) -> None:
    assert pedersen_hash(int(case["a"], 16), int(case["b"], 16)) == int(case["hash"], 16)


@pytest.mark.parametrize("case", VECTORS["public_keys"])
def test_public_key_matches_starkware(case: dict[str, str]) -> None:
    assert public_key(int(case["private_key"], 16)) == int(case["public_key"], 16)


@pytest.mark.parametrize("case", RFC6979["messages"])
def test_rfc6979_signature_matches_starkware(case: dict[str, str]) -> None:
    private_key = int(RFC6979["private_key"], 16)
    msg_hash = int(case["hash"], 16)
    r, s = int(case["r"]), int(case["s"])
    assert sign(private_key, msg_hash) == (r, s)
    assert verify(public_key(private_key), msg_hash, r, s)
    assert verify_fast(public_key(private_key), msg_hash, r, s)


@pytest.mark.parametrize("case", SIGNED)
@pytest.mark.parametrize("check", [verify, verify_fast])
def test_published_signatures_verify_and_tampering_fails(case: dict[str, str], check: Any) -> None:
    key, msg_hash = int(case["public_key"], 16), int(case["hash"], 16)
    r, s = int(case["r"], 16), int(case["s"], 16)
    assert check(key, msg_hash, r, s)
    assert sign(int(case["private_key"], 16), msg_hash) == (r, s)
    assert not check(key, msg_hash + 1, r, s)
    assert not check(key, msg_hash, r + 1, s)
    assert not check(key, msg_hash, r, s + 1)
    assert not check(key + 1, msg_hash, r, s)


@pytest.mark.parametrize("check", [verify, verify_fast])
def test_out_of_range_inputs_are_simply_invalid(check: Any) -> None:
    case = SIGNED[0]
    key, msg_hash = int(case["public_key"], 16), int(case["hash"], 16)
    r, s = int(case["r"], 16), int(case["s"], 16)
    assert not check(key, msg_hash, 0, s)
    assert not check(key, msg_hash, r, 0)
    assert not check(key, msg_hash, r, EC_ORDER)
    assert not check(key, 2**251, r, s)
    assert not check(key, msg_hash, 2**251, s)
    assert not check(-key, msg_hash, r, s)
    assert not check(key, msg_hash, True, s)


def test_a_key_whose_x_is_not_on_the_curve_has_no_fast_verifier() -> None:
    off_curve = [x for x in range(2, 40) if precomputed_key(x) is None]
    assert off_curve, "some small x must lie off the curve"
    assert not verify_fast(off_curve[0], 1, 1, 1)


private_keys = st.integers(1, EC_ORDER - 1)
hashes = st.integers(0, 2**251 - 1)


@settings(max_examples=25, deadline=None)
@given(private_keys, hashes)
def test_fast_verifier_accepts_what_the_library_signs(private_key: int, msg_hash: int) -> None:
    key = public_key(private_key)
    r, s = sign(private_key, msg_hash)
    assert verify_fast(key, msg_hash, r, s)
    assert fast_stark_crypto.verify(key, msg_hash, r, s)
    # The key is its x coordinate only, so the negated private key signs for it too.
    r_neg, s_neg = sign(EC_ORDER - private_key, msg_hash)
    assert verify_fast(key, msg_hash, r_neg, s_neg)
    assert verify(key, msg_hash, r_neg, s_neg)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(SIGNED), hashes, st.integers(1, 2**251 - 1), st.integers(1, EC_ORDER - 1))
def test_fast_verifier_agrees_with_the_library_on_forgeries(
    case: dict[str, str], msg_hash: int, r: int, s: int
) -> None:
    key = int(case["public_key"], 16)
    assert verify_fast(key, msg_hash, r, s) == verify(key, msg_hash, r, s)
