"""Range check by lookup (LogUp): every value v_i lies in the table [0, 256).

Main columns: v (the values) and m (multiplicities: m_i counts how often table entry T_i
occurs among the values).  The table is the periodic column T_i = i mod 256, so the trace
length n must be a multiple of 256.  One auxiliary extension column S, built after the main
trace is committed and a challenge β is drawn, accumulates the LogUp sum
    S_0 = 0,  S_{i+1} = S_i + 1/(β - v_i) - m_i/(β - T_i),
and the sum over all rows must vanish:  Σ 1/(β - v_i) = Σ m_i/(β - T_i), which holds for a
random β only if the values are a sub-multiset of the table.  Constraints are multiplied out
to degree 3.  Public inputs: (v_0, v_{n-1}).  This exercises the auxiliary-column machinery
the settlement AIR will use for its range checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import field as F
from ..air import Air, AuxBoundary, Boundary, Constraint, Kind, Ops, T
from ..field import P64, Arr

TABLE = 256


class RangeCheckAir(Air):
    name = "isoperp.range-check-logup.v1"
    width = 2
    aux_width = 1
    num_aux_challenges = 1

    def __init__(self, trace_length: int, public_inputs: Sequence[int]) -> None:
        super().__init__(trace_length, public_inputs)
        if len(self.public_inputs) != 2:
            raise ValueError("range-check takes (v_first, v_last)")
        if trace_length % TABLE:
            raise ValueError("trace length must be a multiple of the table size")
        first, last = self.public_inputs
        self.boundary = [Boundary(0, first), Boundary(trace_length - 1, last)]

    def periodic_columns(self) -> list[list[int]]:
        return [list(range(TABLE))]

    def eval_constraints(
        self, ops: Ops[T], cur: Sequence[T], nxt: Sequence[T], periodic: Sequence[T]
    ) -> list[T]:
        return []

    def eval_boundary(self, ops: Ops[T], row: Sequence[T]) -> list[T]:
        return [row[0], row[0]]

    @property
    def aux_constraints(self) -> list[Constraint]:
        return [Constraint(3, Kind.TRANSITION)]

    @property
    def aux_boundary(self) -> list[AuxBoundary]:
        return [AuxBoundary(0, 1), AuxBoundary(self.trace_length - 1, 3)]

    def eval_aux_constraints(
        self,
        ops: Ops[T],
        cur: Sequence[T],
        nxt: Sequence[T],
        aux_cur: Sequence[T],
        aux_nxt: Sequence[T],
        periodic: Sequence[T],
        challenges: Sequence[T],
    ) -> list[T]:
        beta = challenges[0]
        v, m = cur
        dv = ops.sub(beta, v)
        dt = ops.sub(beta, periodic[0])
        step = ops.mul(ops.mul(ops.sub(aux_nxt[0], aux_cur[0]), dv), dt)
        # (S' - S)(β - v)(β - T) = (β - T) - m(β - v)
        return [ops.add(ops.sub(step, dt), ops.mul(m, dv))]

    def eval_aux_boundary(
        self, ops: Ops[T], row: Sequence[T], aux_row: Sequence[T], challenges: Sequence[T]
    ) -> list[T]:
        beta = challenges[0]
        v, m = row
        s = aux_row[0]
        dv = ops.sub(beta, v)
        dt = ops.add_const(beta, -((self.trace_length - 1) % TABLE))
        # S_{n-1} + 1/(β - v) - m/(β - T) = 0, multiplied out
        last = ops.sub(ops.add(ops.mul(ops.mul(s, dv), dt), dt), ops.mul(m, dv))
        return [s, last]

    def build_aux(self, trace: Arr, challenges: Arr) -> Arr:
        n = self.trace_length
        beta = challenges[0]
        table = np.arange(n, dtype=np.uint64) % np.uint64(TABLE)
        inv_v = F.ext_inv(F.ext_sub(beta[None, :], F.ext_from_base(trace[0])))
        inv_t = F.ext_inv(F.ext_sub(beta[None, :], F.ext_from_base(table)))
        terms = F.ext_sub(inv_v, F.ext_scale(inv_t, trace[1]))
        running = np.zeros((n, 4), dtype=np.uint64)
        running[1:] = np.cumsum(terms[:-1], axis=0, dtype=np.uint64) % P64  # n·p < 2^64
        return running[None, :, :]


def build(values: Sequence[int]) -> tuple[RangeCheckAir, Arr]:
    """AIR and trace for ``values`` (padded with zeros to a multiple of 256 rows, a power of
    two).  Multiplicities count only in-range values, so an out-of-range value yields an
    unsatisfiable trace (used by the tests)."""
    n = max(TABLE, 1 << max(0, (len(values) - 1).bit_length()))
    v = np.zeros(n, dtype=np.uint64)
    v[: len(values)] = np.array([x % F.P for x in values], dtype=np.uint64)
    m = np.zeros(n, dtype=np.uint64)
    counts = np.bincount(v[v < TABLE].astype(np.int64), minlength=TABLE)
    m[:TABLE] = counts.astype(np.uint64)
    air = RangeCheckAir(n, (int(v[0]), int(v[-1])))
    return air, np.stack([v, m])
