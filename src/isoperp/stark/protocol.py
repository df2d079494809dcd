"""What prover and verifier must do identically: transcript framing and domains.

Transcript order: domain tag, parameters, AIR identity, trace length, public inputs, trace
root, composition coefficients, quotient root, OOD point, OOD values, DEEP coefficients,
for each FRI layer its root then its folding challenge, the final polynomial, the
proof-of-work nonce, then the query positions.
"""

from __future__ import annotations

import struct

import numpy as np

from . import field as F
from .air import Air
from .field import Arr
from .ntt import intt
from .params import ProofParams
from .transcript import Transcript

DOMAIN_TAG = b"isoperp.stark.v1"
COSET_SHIFT = F.GENERATOR  # LDE domain = 31·<w_{bn}>, disjoint from every 2-power subgroup


def start_transcript(params: ProofParams, air: Air) -> Transcript:
    t = Transcript(DOMAIN_TAG)
    t.absorb(b"params", params.encode())
    t.absorb(b"air", air.name.encode("ascii"))
    t.absorb(b"trace_length", struct.pack("<Q", air.trace_length))
    pub = air.public_inputs
    t.absorb(b"public_inputs", struct.pack(f"<I{len(pub)}I", len(pub), *pub))
    return t


def ext_bytes(a: Arr) -> bytes:
    return np.ascontiguousarray(a, dtype="<u4").tobytes()


def draw_ext_many(t: Transcript, label: bytes, count: int) -> Arr:
    return t.challenge_ext_many(label, count)


def draw_ood_point(t: Transcript, log_n: int, log_lde: int) -> Arr:
    """An extension point outside the trace domain and the LDE coset."""
    counter = 0
    shift_inv = F.inv(COSET_SHIFT)
    while True:
        z = t.challenge_ext(b"ood" + struct.pack("<I", counter))
        zn = F.ext_pow(z, 1 << log_n)
        zs = F.ext_pow(F.ext_scale(z, np.uint64(shift_inv)), 1 << log_lde)
        if not F.ext_eq(zn, F.ext(1)) and not F.ext_eq(zs, F.ext(1)):
            return z
        counter += 1  # pragma: no cover - probability ~ 2^-100


def periodic_coeffs(air: Air) -> list[Arr]:
    """Coefficients of each periodic column's polynomial p with p(w_m^i) = column[i]."""
    return [intt(np.array(col, dtype=np.uint64) % F.P64) for col in air.periodic_columns()]
