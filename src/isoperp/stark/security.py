"""Security estimates computed from the parameters.

Conjectured security (the issue's formula, following Winterfell ``ConjecturedSecurity`` and
ethSTARK Eq. (19)):  min(log2(blowup)·queries + grinding, ext_bits - log2(|D|), hash_bits),
where ext_bits = 4·log2(p) is the challenge field size and |D| the evaluation domain size.

Proven security: Winterfell ``air/src/proof/security.rs`` ``ProvenSecurity`` (Theorems 2 and 3
of ePrint 2024/1553): the list-decoding (Johnson bound) regime maximised over the proximity
parameter m, and the unique-decoding regime; we report the larger, as Winterfell's
``is_at_least`` does.  Formulas are re-derived here, not copied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .field import EXT_BITS
from .merkle import DIGEST
from .params import ProofParams

HASH_COLLISION_BITS = DIGEST * 8 // 2  # BLAKE3-256: 128-bit collision resistance
NUM_OPENINGS = 2.0  # the trace is opened at z and z·g


@dataclass(frozen=True)
class Security:
    conjectured_bits: int
    proven_bits: int
    proven_list_decoding_bits: int
    proven_unique_decoding_bits: int


def conjectured_bits(params: ProofParams, log_trace: int) -> int:
    query = params.log_blowup * params.num_queries + params.grinding_bits
    field = EXT_BITS - (log_trace + params.log_blowup)
    return math.floor(min(query, field, HASH_COLLISION_BITS))


def _ldr(params: ProofParams, log_trace: int, m: float) -> float:
    ext = EXT_BITS
    rho = 1.0 / params.blowup
    alpha = (1.0 + 0.5 / m) * math.sqrt(rho)
    max_deg = params.blowup + 1.0
    lde = float(1 << (log_trace + params.log_blowup))
    h = float(1 << log_trace)
    ell = m / (rho - 2.0 * m / lde)
    e1 = ext - math.log2(ell)
    e2 = ext - math.log2(ell * ell * (max_deg * (h + NUM_OPENINGS - 1.0) + (h - 1.0)))
    e3 = ext - math.log2(0.5 * (m + 0.5) ** 7 / rho**1.5 * lde * lde)
    ek = params.grinding_bits - params.num_queries * math.log2(alpha)
    return min(e1, e2, e3, ek)


def _udr(params: ProofParams, log_trace: int) -> float:
    ext = EXT_BITS
    lde = float(1 << (log_trace + params.log_blowup))
    h = float(1 << log_trace)
    rho_plus = (h + NUM_OPENINGS) / lde
    alpha = (1.0 + rho_plus) * 0.5
    max_deg = params.blowup + 1.0
    e1 = ext
    e2 = ext - math.log2(max_deg * (h + NUM_OPENINGS - 1.0) + (h - 1.0))
    e3 = ext - math.log2(lde)
    arity = float(1 << params.fri_log_arity)
    ei = ext - math.log2((arity - 1.0) * (lde + 1.0))
    ek = params.grinding_bits - params.num_queries * math.log2(alpha)
    return min(e1, e2, e3, ei, ek)


def _upper_m(h: float) -> int:
    ratio = (h + 2.0) / h
    return min(math.ceil(1.0 / (2.0 * (math.sqrt(ratio) - 1.0))), 1000)


def compute(params: ProofParams, log_trace: int) -> Security:
    h = float(1 << log_trace)
    best = max(_ldr(params, log_trace, float(m)) for m in range(3, _upper_m(h)))
    ldr = int(min(best, HASH_COLLISION_BITS))
    udr = int(min(_udr(params, log_trace), HASH_COLLISION_BITS))
    return Security(
        conjectured_bits=conjectured_bits(params, log_trace),
        proven_bits=max(ldr, udr),
        proven_list_decoding_bits=ldr,
        proven_unique_decoding_bits=udr,
    )
