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


def conjectured_bits(
    params: ProofParams,
    log_trace: int,
    ext_bits: float = EXT_BITS,
    collision_bits: int = HASH_COLLISION_BITS,
) -> int:
    query = params.log_blowup * params.num_queries + params.grinding_bits
    field = ext_bits - (log_trace + params.log_blowup)
    return math.floor(min(query, field, collision_bits))


def _ldr(params: ProofParams, log_trace: int, m: float, ext: float) -> float:
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


def _udr(params: ProofParams, log_trace: int, ext: float) -> float:
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


def compute(
    params: ProofParams,
    log_trace: int,
    ext_bits: float = EXT_BITS,
    collision_bits: int = HASH_COLLISION_BITS,
) -> Security:
    h = float(1 << log_trace)
    lde = float(1 << (log_trace + params.log_blowup))
    rho = 1.0 / params.blowup
    # m must keep the list size finite: rho - 2m/|D| > 0
    ms = [m for m in range(3, _upper_m(h)) if rho - 2.0 * m / lde > 0]
    best = max((_ldr(params, log_trace, float(m), ext_bits) for m in ms), default=0.0)
    ldr = int(min(best, collision_bits))
    udr = int(min(_udr(params, log_trace, ext_bits), collision_bits))
    return Security(
        conjectured_bits=conjectured_bits(params, log_trace, ext_bits, collision_bits),
        proven_bits=max(ldr, udr),
        proven_list_decoding_bits=ldr,
        proven_unique_decoding_bits=udr,
    )
