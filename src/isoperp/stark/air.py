"""The AIR interface: what a statement must describe for the prover and the verifier.

An AIR has a trace of ``width`` base-field columns and ``trace_length`` (a power of two)
rows.  Its constraints are polynomial expressions written once against an ``Ops`` algebra,
so the prover evaluates them on numpy arrays over the low-degree-extension domain and the
verifier on extension-field values at the out-of-domain point:

* ``constraints``: each a ``Constraint(degree, kind)``; ``kind`` is ``TRANSITION`` (holds on
  rows 0..n-2 and may read the next row) or ``EVERY_ROW`` (holds on all n rows);
* ``boundary``: each a ``Boundary(row, degree, value)`` over an expression of one row;
* ``periodic_columns``: public columns whose values repeat with a power-of-two period.

``eval_constraints`` / ``eval_boundary`` return expressions in the declared order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

import numpy as np

from . import field as F
from .field import P64, Arr

T = TypeVar("T")


class Kind(Enum):
    TRANSITION = 0
    EVERY_ROW = 1


@dataclass(frozen=True)
class Constraint:
    degree: int
    kind: Kind = Kind.TRANSITION


@dataclass(frozen=True)
class Boundary:
    row: int
    value: int
    degree: int = 1


@dataclass(frozen=True)
class AuxBoundary:
    """An expression over one row (main and auxiliary columns, challenges) that must vanish
    at ``row``; its value may depend on the challenges, so it is folded into the expression."""

    row: int
    degree: int = 1


class Ops(ABC, Generic[T]):
    """Field operations the constraint code may use."""

    @abstractmethod
    def add(self, a: T, b: T) -> T: ...

    @abstractmethod
    def sub(self, a: T, b: T) -> T: ...

    @abstractmethod
    def mul(self, a: T, b: T) -> T: ...

    @abstractmethod
    def mul_const(self, a: T, c: int) -> T: ...

    @abstractmethod
    def add_const(self, a: T, c: int) -> T: ...

    def square(self, a: T) -> T:
        return self.mul(a, a)

    def pow7(self, a: T) -> T:
        a2 = self.mul(a, a)
        a3 = self.mul(a2, a)
        return self.mul(self.mul(a3, a3), a)


class BaseOps(Ops[Arr]):
    """Base-field numpy arrays (the prover's evaluation over the LDE domain)."""

    def add(self, a: Arr, b: Arr) -> Arr:
        s: Arr = a + b
        return np.minimum(s, np.subtract(s, P64))

    def sub(self, a: Arr, b: Arr) -> Arr:
        s: Arr = np.add(a, np.subtract(P64, b))
        return np.minimum(s, np.subtract(s, P64))

    def mul(self, a: Arr, b: Arr) -> Arr:
        r: Arr = (a * b) % P64
        return r

    def mul_const(self, a: Arr, c: int) -> Arr:
        r: Arr = (a * np.uint64(c % F.P)) % P64
        return r

    def add_const(self, a: Arr, c: int) -> Arr:
        s: Arr = a + np.uint64(c % F.P)
        return np.minimum(s, np.subtract(s, P64))


class ExtOps(Ops[Arr]):
    """Extension-field values, shape (..., 4) (the verifier's out-of-domain evaluation)."""

    def add(self, a: Arr, b: Arr) -> Arr:
        return F.ext_add(a, b)

    def sub(self, a: Arr, b: Arr) -> Arr:
        return F.ext_sub(a, b)

    def mul(self, a: Arr, b: Arr) -> Arr:
        return F.ext_mul(a, b)

    def mul_const(self, a: Arr, c: int) -> Arr:
        r: Arr = (a * np.uint64(c % F.P)) % P64
        return r

    def add_const(self, a: Arr, c: int) -> Arr:
        out = a.copy()
        out[..., 0] = (out[..., 0] + np.uint64(c % F.P)) % P64
        return out


Ext4 = tuple[int, int, int, int]


class PyExtOps(Ops[Ext4]):
    """Extension values as tuples of Python ints: faster than numpy for single points
    (the verifier evaluates the constraints once, at the out-of-domain point)."""

    def add(self, a: Ext4, b: Ext4) -> Ext4:
        p = F.P
        return ((a[0] + b[0]) % p, (a[1] + b[1]) % p, (a[2] + b[2]) % p, (a[3] + b[3]) % p)

    def sub(self, a: Ext4, b: Ext4) -> Ext4:
        p = F.P
        return ((a[0] - b[0]) % p, (a[1] - b[1]) % p, (a[2] - b[2]) % p, (a[3] - b[3]) % p)

    def mul(self, a: Ext4, b: Ext4) -> Ext4:
        p = F.P
        a0, a1, a2, a3 = a
        b0, b1, b2, b3 = b
        w = F.W_EXT
        return (
            (a0 * b0 + w * (a1 * b3 + a2 * b2 + a3 * b1)) % p,
            (a0 * b1 + a1 * b0 + w * (a2 * b3 + a3 * b2)) % p,
            (a0 * b2 + a1 * b1 + a2 * b0 + w * a3 * b3) % p,
            (a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0) % p,
        )

    def mul_const(self, a: Ext4, c: int) -> Ext4:
        p = F.P
        return (a[0] * c % p, a[1] * c % p, a[2] * c % p, a[3] * c % p)

    def add_const(self, a: Ext4, c: int) -> Ext4:
        return ((a[0] + c) % F.P, a[1], a[2], a[3])


def to_py(a: Arr) -> Ext4:
    return (int(a[0]), int(a[1]), int(a[2]), int(a[3]))


def from_py(a: Ext4) -> Arr:
    return np.array(a, dtype=np.uint64)


BASE_OPS = BaseOps()
PY_EXT_OPS = PyExtOps()
EXT_OPS = ExtOps()


class Air(ABC):
    """A statement's constraint system.  Subclasses set ``name`` (the AIR's identity, part
    of the transcript), ``width`` and the constraint lists in ``__init__``."""

    name: str = ""
    width: int = 0

    def __init__(self, trace_length: int, public_inputs: Sequence[int]) -> None:
        if trace_length < 2 or trace_length & (trace_length - 1):
            raise ValueError("trace length must be a power of two >= 2")
        if any(not 0 <= v < F.P for v in public_inputs):
            raise ValueError("public inputs must be canonical field elements")
        self.trace_length = trace_length
        self.public_inputs = tuple(int(v) for v in public_inputs)
        self.constraints: list[Constraint] = []
        self.boundary: list[Boundary] = []

    # Auxiliary columns (extension-field valued), built after the main trace is committed
    # and ``num_aux_challenges`` challenges are drawn: for permutation / LogUp arguments.
    aux_width: int = 0
    num_aux_challenges: int = 0

    def periodic_columns(self) -> list[list[int]]:
        return []

    def build_aux(self, trace: Arr, challenges: Arr) -> Arr:
        """Auxiliary trace (aux_width, n, 4) from the main trace (W, n) and challenges."""
        raise NotImplementedError("this AIR has no auxiliary columns")

    @property
    def aux_constraints(self) -> list[Constraint]:
        return []

    @property
    def aux_boundary(self) -> list[AuxBoundary]:
        return []

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
        """Constraints over main and auxiliary columns, evaluated in the extension field."""
        return []

    def eval_aux_boundary(
        self, ops: Ops[T], row: Sequence[T], aux_row: Sequence[T], challenges: Sequence[T]
    ) -> list[T]:
        return []

    @abstractmethod
    def eval_constraints(
        self, ops: Ops[T], cur: Sequence[T], nxt: Sequence[T], periodic: Sequence[T]
    ) -> list[T]: ...

    @abstractmethod
    def eval_boundary(self, ops: Ops[T], row: Sequence[T]) -> list[T]: ...

    # ------------------------------------------------------------------ derived

    @property
    def max_degree(self) -> int:
        degs = [c.degree for c in self.constraints] + [b.degree + 1 for b in self.boundary]
        degs += [c.degree for c in self.aux_constraints]
        degs += [b.degree + 1 for b in self.aux_boundary]
        return max([2, *degs])

    @property
    def num_quotient_chunks(self) -> int:
        """The composition polynomial has degree < (D - 1)·n; it is sent in D - 1 chunks."""
        return self.max_degree - 1

    @property
    def num_composition_terms(self) -> int:
        return (
            len(self.constraints)
            + len(self.boundary)
            + len(self.aux_constraints)
            + len(self.aux_boundary)
        )

    def check_shape(self) -> None:
        rows = [b.row for b in self.boundary] + [b.row for b in self.aux_boundary]
        for row in rows:
            if not 0 <= row < self.trace_length:
                raise ValueError("boundary row outside the trace")
        for col in self.periodic_columns():
            m = len(col)
            if m < 1 or m & (m - 1) or m > self.trace_length:
                raise ValueError("periodic column length must be a power of two <= n")
