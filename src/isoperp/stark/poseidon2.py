"""Poseidon2 over BabyBear, width 16: Plonky3's default instance.

Source of every constant below: Plonky3 ``baby-bear/src/poseidon2.rs``
(``BABYBEAR_RC16_EXTERNAL_INITIAL``, ``BABYBEAR_RC16_EXTERNAL_FINAL``,
``BABYBEAR_RC16_INTERNAL``, built with ``BabyBear::new_2d_array``, i.e. the listed integers
are canonical values, converted to Montgomery form only inside Plonky3), the internal
diagonal ``V`` of ``BabyBearInternalLayerParameters`` and the external 4x4 block
``circ(2, 3, 1, 1)`` (``MDSMat4`` in ``poseidon2/src/external.rs``).  S-box x^7, 4 + 4 full
rounds, 13 partial rounds; an initial external linear layer precedes the first round.

The permutation is vectorised: ``permute`` acts on a (16, N) array of N states at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

import numpy as np

from .field import P64, Arr, P, inv

WIDTH = 16
FULL_ROUNDS_HALF = 4
PARTIAL_ROUNDS = 13
SBOX_DEGREE = 7

RC_EXTERNAL_INITIAL: tuple[tuple[int, ...], ...] = (
    (0x69CBB6AF, 0x46AD93F9, 0x60A00F4E, 0x6B1297CD, 0x23189AFE, 0x732E7BEF, 0x72C246DE,
     0x2C941900, 0x0557EEDE, 0x1580496F, 0x3A3EA77B, 0x54F3F271, 0x0F49B029, 0x47872FE1,
     0x221E2E36, 0x1AB7202E),
    (0x487779A6, 0x3851C9D8, 0x38DC17C0, 0x209F8849, 0x268DCEE8, 0x350C48DA, 0x5B9AD32E,
     0x0523272B, 0x3F89055B, 0x01E894B2, 0x13DDEDDE, 0x1B2EF334, 0x7507D8B4, 0x6CEEB94E,
     0x52EB6BA2, 0x50642905),
    (0x05453F3F, 0x06349EFC, 0x6922787C, 0x04BFFF9C, 0x768C714A, 0x3E9FF21A, 0x15737C9C,
     0x2229C807, 0x0D47F88C, 0x097E0ECC, 0x27EADBA0, 0x2D7D29E4, 0x3502AAA0, 0x0F475FD7,
     0x29FBDA49, 0x018AFFFD),
    (0x0315B618, 0x6D4497D1, 0x1B171D9E, 0x52861ABD, 0x2E5D0501, 0x3EC8646C, 0x6E5F250A,
     0x148AE8E6, 0x17F5FA4A, 0x3E66D284, 0x0051AA3B, 0x483F7913, 0x2CFE5F15, 0x023427CA,
     0x2CC78315, 0x1E36EA47),
)  # fmt: skip

RC_EXTERNAL_FINAL: tuple[tuple[int, ...], ...] = (
    (0x7290A80D, 0x6F7E5329, 0x598EC8A8, 0x76A859A0, 0x6559E868, 0x657B83AF, 0x13271D3F,
     0x1F876063, 0x0AEEAE37, 0x706E9CA6, 0x46400CEE, 0x72A05C26, 0x2C589C9E, 0x20BD37A7,
     0x6A2D3D10, 0x20523767),
    (0x5B8FE9C4, 0x2AA501D6, 0x1E01AC3E, 0x1448BC54, 0x5CE5AD1C, 0x4918A14D, 0x2C46A83F,
     0x4FCF6876, 0x61D8D5C8, 0x6DDF4FF9, 0x11FDA4D3, 0x02933A8F, 0x170EAF81, 0x5A9C314F,
     0x49A12590, 0x35EC52A1),
    (0x58EB1611, 0x5E481E65, 0x367125C9, 0x0EBA33BA, 0x1FC28DED, 0x066399AD, 0x0CBEC0EA,
     0x75FD1AF0, 0x50F5BF4E, 0x643D5F41, 0x6F4FE718, 0x5B3CBBDE, 0x1E3AFB3E, 0x296FB027,
     0x45E1547B, 0x4A8DB2AB),
    (0x59986D19, 0x30BCDFA3, 0x1DB63932, 0x1D7C2824, 0x53B33681, 0x0673B747, 0x038A98A3,
     0x2C5BCE60, 0x351979CD, 0x5008FB73, 0x547BCA78, 0x711AF481, 0x3F93BF64, 0x644D987B,
     0x3C8BCD87, 0x608758B8),
)  # fmt: skip

RC_INTERNAL: tuple[int, ...] = (
    0x5A8053C0, 0x693BE639, 0x3858867D, 0x19334F6B, 0x128F0FD8, 0x4E2B1CCB, 0x61210CE0,
    0x3C318939, 0x0B5B2F22, 0x2EDB11D5, 0x213EFFDF, 0x0CAC4606, 0x241AF16D,
)  # fmt: skip

# Internal diagonal V (Plonky3 BabyBearInternalLayerParameters, width 16):
# [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/4, 1/8, 1/2^27, -1/2^8, -1/16, -1/2^27]
_I2 = inv(2)
INTERNAL_DIAG: tuple[int, ...] = tuple(
    v % P
    for v in (
        -2, 1, 2, _I2, 3, 4, -_I2, -3, -4, inv(1 << 8), inv(4), inv(8), inv(1 << 27),
        -inv(1 << 8), -inv(16), -inv(1 << 27),
    )
)  # fmt: skip

T = TypeVar("T")


class LinearOps(Generic[T]):
    """The operations the linear layers need, so that the same code runs on numpy base-field
    arrays (native hash, trace generation, constraint evaluation) and on extension values
    (the verifier's out-of-domain evaluation)."""

    def __init__(
        self,
        add: Callable[[T, T], T],
        sub: Callable[[T, T], T],
        mul_const: Callable[[T, int], T],
    ) -> None:
        self.add = add
        self.sub = sub
        self.mul_const = mul_const


def _mat4(ops: LinearOps[T], x0: T, x1: T, x2: T, x3: T) -> tuple[T, T, T, T]:
    # circ(2,3,1,1) rows: [2,3,1,1], [1,2,3,1], [1,1,2,3], [3,1,1,2]
    add = ops.add
    t01 = add(x0, x1)
    t23 = add(x2, x3)
    t0123 = add(t01, t23)
    t01123 = add(t0123, x1)
    t01233 = add(t0123, x3)
    y3 = add(t01233, add(x0, x0))
    y1 = add(t01123, add(x2, x2))
    y0 = add(t01123, t01)
    y2 = add(t01233, t23)
    return y0, y1, y2, y3


def external_linear(ops: LinearOps[T], s: Sequence[T]) -> list[T]:
    """M_E = circ(2 M4, M4, M4, M4): M4 on each block of 4, then add the column sums."""
    blocks = [_mat4(ops, s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3]) for i in range(4)]
    sums = [ops.add(ops.add(blocks[0][j], blocks[1][j]), ops.add(blocks[2][j], blocks[3][j]))
            for j in range(4)]  # fmt: skip
    return [ops.add(blocks[i][j], sums[j]) for i in range(4) for j in range(4)]


def internal_linear(ops: LinearOps[T], s: Sequence[T]) -> list[T]:
    """M_I = 1 + Diag(V): s_i <- sum(s) + V_i s_i."""
    total = s[0]
    for x in s[1:]:
        total = ops.add(total, x)
    return [ops.add(total, ops.mul_const(x, d)) for x, d in zip(s, INTERNAL_DIAG, strict=True)]


# ---------------------------------------------------------------- native numpy permutation


def _np_add(a: Arr, b: Arr | np.uint64) -> Arr:
    s: Arr = a + b
    return np.minimum(s, np.subtract(s, P64))


def _np_sub(a: Arr, b: Arr) -> Arr:
    s: Arr = np.add(a, np.subtract(P64, b))
    return np.minimum(s, np.subtract(s, P64))


def _np_mul_const(a: Arr, c: int) -> Arr:
    r: Arr = (a * np.uint64(c)) % P64
    return r


NP_OPS: LinearOps[Arr] = LinearOps(_np_add, _np_sub, _np_mul_const)


def sbox(x: Arr) -> Arr:
    x2 = (x * x) % P64
    x3 = (x2 * x) % P64
    x6 = (x3 * x3) % P64
    r: Arr = (x6 * x) % P64
    return r


def permute_trace(state: Arr) -> tuple[list[Arr], list[Arr], list[Arr]]:
    """Permute a (16, N) batch and record the S-box outputs the AIR commits to.

    Returns (full_round_sbox_outputs: 8 arrays (16, N), partial_sbox_outputs: 13 arrays (N,),
    output (16 arrays))."""
    s = [np.asarray(state[i], dtype=np.uint64) for i in range(WIDTH)]
    s = external_linear(NP_OPS, s)
    full: list[Arr] = []
    partial: list[Arr] = []
    for r in range(FULL_ROUNDS_HALF):
        y = [sbox(_np_add(s[i], np.uint64(RC_EXTERNAL_INITIAL[r][i]))) for i in range(WIDTH)]
        full.append(np.stack(y))
        s = external_linear(NP_OPS, y)
    for r in range(PARTIAL_ROUNDS):
        y0 = sbox(_np_add(s[0], np.uint64(RC_INTERNAL[r])))
        partial.append(y0)
        s = internal_linear(NP_OPS, [y0, *s[1:]])
    for r in range(FULL_ROUNDS_HALF):
        y = [sbox(_np_add(s[i], np.uint64(RC_EXTERNAL_FINAL[r][i]))) for i in range(WIDTH)]
        full.append(np.stack(y))
        s = external_linear(NP_OPS, y)
    return full, partial, s


def permute_first_round_inputs(state: Arr) -> Arr:
    """Round-0 S-box inputs (M_E·state + rc) of a (16,) or (16, N) state, natively."""
    s = external_linear(NP_OPS, [np.asarray(state[i], dtype=np.uint64) for i in range(WIDTH)])
    return np.stack([_np_add(s[i], np.uint64(RC_EXTERNAL_INITIAL[0][i])) for i in range(WIDTH)])


def permute(state: Arr) -> Arr:
    """Poseidon2 on a (16,) state or a (16, N) batch of states."""
    a = np.asarray(state, dtype=np.uint64)
    if a.shape[0] != WIDTH:
        raise ValueError("Poseidon2 state must have 16 elements along axis 0")
    if np.any(a >= P64):
        raise ValueError("non-canonical field element")
    flat = a.reshape(WIDTH, -1)
    _, _, out = permute_trace(flat)
    return np.stack(out).reshape(a.shape)


# ---------------------------------------------------------------- scalar permutation

_RCI = [list(r) for r in RC_EXTERNAL_INITIAL]
_RCF = [list(r) for r in RC_EXTERNAL_FINAL]
_RCP = list(RC_INTERNAL)
_DIAG = list(INTERNAL_DIAG)


def _ext_int(s: list[int]) -> list[int]:
    """External linear layer on Python ints (outputs left unreduced, < 35·max input)."""
    a = []
    for i in (0, 4, 8, 12):
        x0, x1, x2, x3 = s[i], s[i + 1], s[i + 2], s[i + 3]
        t01 = x0 + x1
        t23 = x2 + x3
        t0123 = t01 + t23
        t01123 = t0123 + x1
        t01233 = t0123 + x3
        a.append((t01123 + t01, t01123 + 2 * x2, t01233 + t23, t01233 + 2 * x0))
    (a00, a01, a02, a03), (a10, a11, a12, a13), (a20, a21, a22, a23), (a30, a31, a32, a33) = a
    s0 = a00 + a10 + a20 + a30
    s1 = a01 + a11 + a21 + a31
    s2 = a02 + a12 + a22 + a32
    s3 = a03 + a13 + a23 + a33
    return [
        a00 + s0, a01 + s1, a02 + s2, a03 + s3, a10 + s0, a11 + s1, a12 + s2, a13 + s3,
        a20 + s0, a21 + s1, a22 + s2, a23 + s3, a30 + s0, a31 + s1, a32 + s2, a33 + s3,
    ]  # fmt: skip


def permute_scalar(state: Sequence[int]) -> list[int]:
    """One permutation on Python ints (the sequential path of a hash chain).  Written with
    comprehensions and one reduction per cube, the fastest form measured in CPython."""
    p = P
    s = _ext_int(list(state))
    for rc in _RCI:
        u = [(x + c) % p for x, c in zip(s, rc, strict=True)]
        s = _ext_int([(t := a * a * a % p) * t * a % p for a in u])
    diag = _DIAG
    for c in _RCP:
        a = (s[0] + c) % p
        t = a * a * a % p
        s[0] = t * t * a % p
        total = sum(s)
        s = [(total + d * x) % p for x, d in zip(s, diag, strict=True)]
    for rc in _RCF:
        u = [(x + c) % p for x, c in zip(s, rc, strict=True)]
        s = _ext_int([(t := a * a * a % p) * t * a % p for a in u])
    return [x % p for x in s]


# ---------------------------------------------------------------- AIR component

SBOX_COLUMNS = 2 * FULL_ROUNDS_HALF * WIDTH + PARTIAL_ROUNDS  # 141
COLUMNS = WIDTH + SBOX_COLUMNS  # input state + every S-box output: 157


def trace_columns(inputs: Arr) -> tuple[Arr, Arr]:
    """Trace columns for a batch of permutations: (157, N) = [input (16), S-box outputs of
    full rounds 0-3 (64), partial rounds (13), full rounds 4-7 (64)], and the outputs (16, N)."""
    full, partial, out = permute_trace(inputs)
    cols = np.concatenate(
        [inputs, *full[:FULL_ROUNDS_HALF], np.stack(partial), *full[FULL_ROUNDS_HALF:]]
    )
    return cols, np.stack(out)


class ConstraintOps(Protocol[T]):
    def add(self, a: T, b: T) -> T: ...
    def sub(self, a: T, b: T) -> T: ...
    def mul_const(self, a: T, c: int) -> T: ...
    def add_const(self, a: T, c: int) -> T: ...
    def pow7(self, a: T) -> T: ...


def first_round_inputs(ops: ConstraintOps[T], state: Sequence[T]) -> list[T]:
    """The 16 S-box inputs of round 0 for permutation input ``state``: M_E·state + rc."""
    lin: LinearOps[T] = LinearOps(ops.add, ops.sub, ops.mul_const)
    s = external_linear(lin, list(state))
    return [ops.add_const(s[i], RC_EXTERNAL_INITIAL[0][i]) for i in range(WIDTH)]


def constraints(ops: ConstraintOps[T], cols: Sequence[T]) -> tuple[list[T], list[T]]:
    """Constraints of one permutation laid out as ``trace_columns`` (157 values): 141 degree-7
    S-box constraints (committed output minus (linear input)^7) and the 16 output
    expressions (degree 1), for callers to connect to whatever follows.

    The S-box inputs are linear in committed columns because each round's linear layer is
    recomputed from the committed S-box outputs, never from the degree-7 expressions."""
    first = first_round_inputs(ops, cols[:WIDTH])
    y = cols[WIDTH : 2 * WIDTH]
    head = [ops.sub(y[i], ops.pow7(first[i])) for i in range(WIDTH)]
    rest, out = sbox_constraints_after_first_round(ops, cols[WIDTH:])
    return head + rest, out


def sbox_constraints_after_first_round(
    ops: ConstraintOps[T], sbox: Sequence[T]
) -> tuple[list[T], list[T]]:
    """For the 141 S-box output columns alone: the 125 constraints of rounds 1..20 (round 0's
    inputs are the caller's business, e.g. the previous row of a chain) and the 16 outputs."""
    lin: LinearOps[T] = LinearOps(ops.add, ops.sub, ops.mul_const)
    s = external_linear(lin, list(sbox[:WIDTH]))
    k = WIDTH
    out: list[T] = []
    for r in range(1, FULL_ROUNDS_HALF):
        y = list(sbox[k : k + WIDTH])
        out += [
            ops.sub(y[i], ops.pow7(ops.add_const(s[i], RC_EXTERNAL_INITIAL[r][i])))
            for i in range(WIDTH)
        ]
        s = external_linear(lin, y)
        k += WIDTH
    for r in range(PARTIAL_ROUNDS):
        y0 = sbox[k]
        out.append(ops.sub(y0, ops.pow7(ops.add_const(s[0], RC_INTERNAL[r]))))
        s = internal_linear(lin, [y0, *s[1:]])
        k += 1
    for r in range(FULL_ROUNDS_HALF):
        y = list(sbox[k : k + WIDTH])
        out += [
            ops.sub(y[i], ops.pow7(ops.add_const(s[i], RC_EXTERNAL_FINAL[r][i])))
            for i in range(WIDTH)
        ]
        s = external_linear(lin, y)
        k += WIDTH
    return out, s
