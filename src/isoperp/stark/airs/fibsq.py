"""FibonacciSq (StarkWare's STARK 101 statement): a(n+2) = a(n+1)^2 + a(n)^2.

Trace: two columns, row i = (a(i), a(i+1)).  Public inputs: (steps, a(0), a(1), a(steps-1)).
Transition (degree 2): next.x = cur.y, next.y = cur.x^2 + cur.y^2.  Boundaries: row 0 holds
a(0), a(1); row steps-2 holds a(steps-1) in column y.  Trace length: the next power of two
>= steps - 1 (extra rows simply continue the sequence).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..air import Air, Boundary, Constraint, Kind, Ops, T
from ..field import Arr, P

A0 = 1
A1 = 3141592
NAME = "fibsq"


def trace_length_for(steps: int) -> int:
    rows = max(2, steps - 1)
    return 1 << (rows - 1).bit_length()


class FibSqAir(Air):
    name = "isoperp.fibsq.v1"
    width = 2

    def __init__(self, trace_length: int, public_inputs: Sequence[int]) -> None:
        super().__init__(trace_length, public_inputs)
        if len(self.public_inputs) != 4:
            raise ValueError("fibsq takes (steps, a0, a1, output)")
        steps, a0, a1, out = self.public_inputs
        if steps < 3 or trace_length_for(steps) != trace_length:
            raise ValueError("steps do not match the trace length")
        self.constraints = [Constraint(1, Kind.TRANSITION), Constraint(2, Kind.TRANSITION)]
        self.boundary = [Boundary(0, a0), Boundary(0, a1), Boundary(steps - 2, out)]

    def eval_constraints(
        self, ops: Ops[T], cur: Sequence[T], nxt: Sequence[T], periodic: Sequence[T]
    ) -> list[T]:
        x, y = cur
        nx, ny = nxt
        return [ops.sub(nx, y), ops.sub(ny, ops.add(ops.square(x), ops.square(y)))]

    def eval_boundary(self, ops: Ops[T], row: Sequence[T]) -> list[T]:
        return [row[0], row[1], row[1]]


def sequence(count: int, a0: int = A0, a1: int = A1) -> list[int]:
    seq = [a0 % P, a1 % P]
    while len(seq) < count:
        seq.append((seq[-1] * seq[-1] + seq[-2] * seq[-2]) % P)
    return seq[:count]


def build(steps: int, claimed_output: int | None = None) -> tuple[FibSqAir, Arr]:
    """The AIR and trace for ``steps`` elements.  ``claimed_output`` overrides the public
    output (and the trace cell it is read from), giving a false statement for tests."""
    n = trace_length_for(steps)
    seq = sequence(n + 1)
    trace = np.array([seq[:n], seq[1 : n + 1]], dtype=np.uint64)
    out = seq[steps - 1]
    if claimed_output is not None:
        out = claimed_output % P
        trace[1, steps - 2] = out
    return FibSqAir(n, (steps, A0, A1, out)), trace
