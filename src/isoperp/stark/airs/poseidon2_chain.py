"""Poseidon2 hash chain: h(i+1) = Poseidon2(h(i)) for N permutations.

One row per permutation, 141 columns: the S-box outputs of every round (the input state is
not committed: row r+1's input is row r's output, a linear form of row r's last-round S-box
outputs).  Constraint degree 7 (so blowup >= 8).  Public inputs: (N, h(0) (16), h(N) (16)).
Constraints: on every row the 125 S-box constraints of rounds 1..20; on rows 0..n-2 the 16
round-0 S-box constraints of the next row, whose inputs are M_E·output(cur) + rc; at row 0
the round-0 S-box outputs equal S(M_E·h(0) + rc) (computed from the public h(0)); at row
N-1 the output equals h(N).  Rows past N-1 (N not a power of two) continue the chain.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import poseidon2 as P2
from ..air import Air, Boundary, Constraint, Kind, Ops, T
from ..field import Arr, P
from ..parallel import shared_empty, split_run

NAME = "poseidon2-chain"


def trace_length_for(perms: int) -> int:
    return max(2, 1 << (perms - 1).bit_length())


class Poseidon2ChainAir(Air):
    name = "isoperp.poseidon2-chain.v2"
    width = P2.SBOX_COLUMNS

    def __init__(self, trace_length: int, public_inputs: Sequence[int]) -> None:
        super().__init__(trace_length, public_inputs)
        if len(self.public_inputs) != 1 + 2 * P2.WIDTH:
            raise ValueError("poseidon2-chain takes (N, h0[16], hN[16])")
        perms = self.public_inputs[0]
        if perms < 1 or trace_length_for(perms) != trace_length:
            raise ValueError("N does not match the trace length")
        h0 = self.public_inputs[1 : 1 + P2.WIDTH]
        hn = self.public_inputs[1 + P2.WIDTH :]
        rest = P2.SBOX_COLUMNS - P2.WIDTH
        self.constraints = [Constraint(P2.SBOX_DEGREE, Kind.EVERY_ROW)] * rest
        self.constraints += [Constraint(P2.SBOX_DEGREE, Kind.TRANSITION)] * P2.WIDTH
        first = P2.sbox(P2.permute_first_round_inputs(np.array(h0, dtype=np.uint64)))
        self.boundary = [Boundary(0, int(v)) for v in first]
        self.boundary += [Boundary(perms - 1, v) for v in hn]

    def eval_constraints(
        self, ops: Ops[T], cur: Sequence[T], nxt: Sequence[T], periodic: Sequence[T]
    ) -> list[T]:
        rest, out = P2.sbox_constraints_after_first_round(ops, cur)
        first = P2.first_round_inputs(ops, out)
        link = [ops.sub(nxt[i], ops.pow7(first[i])) for i in range(P2.WIDTH)]
        return rest + link

    def eval_boundary(self, ops: Ops[T], row: Sequence[T]) -> list[T]:
        lin: P2.LinearOps[T] = P2.LinearOps(ops.add, ops.sub, ops.mul_const)
        out = P2.external_linear(lin, list(row[P2.SBOX_COLUMNS - P2.WIDTH :]))
        return list(row[: P2.WIDTH]) + out


def chain(h0: Sequence[int], count: int) -> list[list[int]]:
    """[h(0), ..., h(count)] by sequential scalar permutations."""
    hs = [list(h0)]
    for _ in range(count):
        hs.append(P2.permute_scalar(hs[-1]))
    return hs


def default_h0() -> list[int]:
    return [(i * 0x9E3779B9 + 7) % P for i in range(P2.WIDTH)]


def build(
    perms: int, h0: Sequence[int] | None = None, claimed_output: Sequence[int] | None = None
) -> tuple[Poseidon2ChainAir, Arr]:
    """AIR and trace for a chain of ``perms`` permutations.  ``claimed_output`` replaces the
    public output only (a false statement, for tests)."""
    start = list(h0) if h0 is not None else default_h0()
    n = trace_length_for(perms)
    hs = chain(start, n - 1)  # inputs of all n rows
    inputs = np.ascontiguousarray(np.array(hs, dtype=np.uint64).T)  # (16, n)
    trace = shared_empty((P2.SBOX_COLUMNS, n), np.uint64)

    def columns(lo: int, hi: int) -> None:  # the S-box columns, rows split across processes
        trace[:, lo:hi] = P2.trace_columns(inputs[:, lo:hi])[0][P2.WIDTH :]

    split_run(columns, n, parallel=n >= 1 << 12)
    last = inputs[:, perms] if perms < n else np.array(P2.permute_scalar(hs[-1]), dtype=np.uint64)
    out = [int(v) for v in last]
    if claimed_output is not None:
        out = [int(v) % P for v in claimed_output]
    air = Poseidon2ChainAir(n, (perms, *start, *out))
    return air, np.ascontiguousarray(trace)
