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
from .domain import Domain
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


def fold_layer(evals: Arr, dom: Domain, beta: Arr, log_arity: int) -> Arr:
    """Fold a whole layer ``evals`` (b·m, 4) on the coset-major ``dom``; the result lives
    on ``dom.folded(log_arity)``."""
    b, m = dom.b, dom.m
    k = m >> log_arity
    a = 1 << log_arity
    v = evals.reshape(b, a, k, 4).transpose(1, 0, 2, 3).reshape(a, b * k, 4)
    x = np.concatenate([dom.points(c * m, c * m + k) for c in range(b)])
    return fold_cosets(v, F.inv_arr(x), beta, log_arity)


def layer_rows(evals: Arr, dom: Domain, log_arity: int) -> Arr:
    """Merkle rows of a layer: leaf c·(m/a) + i holds the values at positions
    c·m + i + t·m/a (t < a) of coset c, flattened."""
    b, m = dom.b, dom.m
    k = m >> log_arity
    a = 1 << log_arity
    rows = evals.reshape(b, a, k, 4).transpose(0, 2, 1, 3).reshape(b * k, 4 * a)
    r: Arr = np.ascontiguousarray(rows)
    return r


def leaf_of(p: int, dom: Domain, log_arity: int) -> tuple[int, int]:
    """(leaf index, slot) of position ``p`` of a layer on ``dom``."""
    c, i = divmod(p, dom.m)
    k = dom.m >> log_arity
    return c * k + i % k, i // k
