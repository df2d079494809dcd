"""Evaluation domains in coset-major order.

A domain of size b·m is the coset ``s·<w_{bm}>`` split into the b cosets
``s·w_{bm}^k·<w_m>`` (k < b); position ``p = k·m + i`` holds the point
``s·w_{bm}^k·w_m^i``.  With this order the low-degree extension is b independent length-m
transforms, the trace's next row of position (k, i) is (k, i+1), the vanishing polynomial
x^m - 1 is constant on each coset, and an FRI fold by a (which pairs x·ζ^t, ζ^a = 1, i.e.
positions i + t·m/a of one coset) yields again a coset-major domain of size b·m/a with
shift s^a.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import field as F
from .field import P64, Arr
from .ntt import ntt
from .parallel import shared_empty, split_run


@dataclass(frozen=True)
class Domain:
    shift: int
    log_b: int
    log_m: int

    @property
    def b(self) -> int:
        return 1 << self.log_b

    @property
    def m(self) -> int:
        return 1 << self.log_m

    @property
    def size(self) -> int:
        return 1 << (self.log_b + self.log_m)

    def coset_shift(self, k: int) -> int:
        return self.shift * pow(F.root_of_unity(self.log_b + self.log_m), k, F.P) % F.P

    def point(self, p: int) -> int:
        k, i = divmod(p, self.m)
        return self.coset_shift(k) * pow(F.root_of_unity(self.log_m), i, F.P) % F.P

    def points(self, start: int = 0, stop: int | None = None) -> Arr:
        """Points at positions [start, stop) (must stay within one coset)."""
        stop = self.size if stop is None else stop
        k, i0 = divmod(start, self.m)
        if stop - start > self.m - i0:
            return np.concatenate(
                [
                    self.points(q, min(stop, (q // self.m + 1) * self.m))
                    for q in range(start, stop, self.m)
                ]
            )
        pw = F.powers(F.root_of_unity(self.log_m), self.m)[i0 : i0 + stop - start]
        r: Arr = (pw * np.uint64(self.coset_shift(k))) % P64
        return r

    def folded(self, log_arity: int) -> Domain:
        return Domain(pow(self.shift, 1 << log_arity, F.P), self.log_b, self.log_m - log_arity)

    def to_natural(self, values: Arr) -> Arr:
        """Reorder the last axis from coset-major to natural order of s·<w_{bm}>."""
        lead = values.shape[:-1]
        v = values.reshape(*lead, self.b, self.m)
        r: Arr = np.ascontiguousarray(np.swapaxes(v, -1, -2)).reshape(*lead, self.size)
        return r


def coset_evals(coeffs: Arr, dom: Domain) -> Arr:
    """Evaluate polynomials (C, m) of degree < m on ``dom`` (coset-major): (C, b·m)."""
    c, m = coeffs.shape
    if m != dom.m:
        raise ValueError("coefficient count must equal the coset size")
    out = shared_empty((c, dom.size), np.uint64)

    def work(lo: int, hi: int) -> None:
        for k in range(lo, hi):
            scaled = (coeffs * F.powers(dom.coset_shift(k), m)) % P64
            out[:, k * m : (k + 1) * m] = ntt(scaled)

    split_run(work, dom.b, parallel=c * dom.size >= 1 << 18)
    return out
