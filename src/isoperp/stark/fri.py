"""FRI folding shared by prover and verifier.

A layer of size M lives on the coset ``s·<w_M>`` in natural order.  With arity a, leaf i
(i < M/a) holds the a values at positions i + t·M/a (t < a): the points x_i·ζ^t with
ζ = w_M^(M/a) a primitive a-th root of unity, i.e. all points with the same x^a.  Folding
with challenge β maps f(x) = Σ_j x^j f_j(x^a) to Σ_j β^j f_j(y) on ``s^a·<w_{M/a}>``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import field as F
from .field import P64, Arr


@lru_cache(maxsize=8)
def _inverse_dft(log_arity: int) -> Arr:
    """Minv[j, t] = ζ^(-t·j) / a, so f_j(y)·x^j = Σ_t Minv[j, t]·f(x·ζ^t)."""
    a = 1 << log_arity
    zeta_inv = F.inv(F.root_of_unity(log_arity))
    a_inv = F.inv(a)
    m = np.array(
        [[pow(zeta_inv, t * j, F.P) * a_inv % F.P for t in range(a)] for j in range(a)],
        dtype=np.uint64,
    )
    m.setflags(write=False)
    return m


def fold_cosets(values: Arr, x_inv: Arr, beta: Arr, log_arity: int) -> Arr:
    """``values`` (a, K, 4): coset evaluations; ``x_inv`` (K,): inverses of the coset
    representatives x_i; returns the folded values (K, 4)."""
    a = 1 << log_arity
    minv = _inverse_dft(log_arity)
    parts = []
    for j in range(a):
        acc = np.zeros(values.shape[1:], dtype=np.uint64)
        for t in range(a):
            acc += (values[t] * minv[j, t]) % P64
        parts.append(acc % P64)
    r = F.ext_scale(np.broadcast_to(beta, (values.shape[1], 4)), x_inv)
    res = parts[a - 1]
    for j in range(a - 2, -1, -1):
        res = F.ext_add(F.ext_mul(res, r), parts[j])
    return res


def fold_layer(evals: Arr, shift: int, beta: Arr, log_arity: int) -> Arr:
    """Fold a whole layer ``evals`` (M, 4) on ``shift·<w_M>``."""
    m = evals.shape[0]
    k = m >> log_arity
    log_m = m.bit_length() - 1
    x_inv = F.powers(F.inv(F.root_of_unity(log_m)), k)
    x_inv = (x_inv * np.uint64(F.inv(shift))) % P64
    return fold_cosets(evals.reshape(1 << log_arity, k, 4), x_inv, beta, log_arity)


def layer_rows(evals: Arr, log_arity: int) -> Arr:
    """Merkle rows of a layer: row i = the coset values at i + t·M/a, flattened."""
    m = evals.shape[0]
    k = m >> log_arity
    rows = evals.reshape(1 << log_arity, k, 4).transpose(1, 0, 2).reshape(k, 4 << log_arity)
    r: Arr = np.ascontiguousarray(rows)
    return r
