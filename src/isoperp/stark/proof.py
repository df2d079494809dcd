"""The proof object and its versioned binary format (all integers little-endian).

    magic "ISPK" | u16 version (=1) | params (u8 log_blowup, u16 queries, u8 grinding,
    u8 fri_log_arity, u8 fri_log_final) | u8 len + AIR name (ASCII) | u8 log2(trace length) |
    u16 count + public inputs (u32 each) | trace root (32) | quotient root (32) |
    OOD values: trace at z (W ext), trace at z·g (W ext), quotient limbs at z (Q ext) |
    FRI layer roots (L x 32) | final polynomial (d x ext) | u64 proof-of-work nonce |
    openings: trace, [aux], quotient, then one per FRI layer, each:
        u16 leaf count U | U rows of u32 field elements | u16 sibling count S | S x 32

Bracketed parts exist only for AIRs with A > 0 auxiliary (extension) columns, committed as
4A base limb columns.  An extension element is 4 u32.  W, A, Q, L and d follow from the AIR
and the parameters, so they are not encoded; every count that is encoded is bounded before
anything is allocated, every field element must be canonical (< p), and no trailing byte is
allowed.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .air import Air
from .field import TWO_ADICITY, Arr, P
from .merkle import DIGEST
from .params import MAX_LOG_TRACE, ParamError, ProofParams

MAGIC = b"ISPK"
VERSION = 1
MAX_PUBLIC = 4096
MAX_NAME = 64


class ProofFormatError(ValueError):
    pass


@dataclass
class Opening:
    rows: Arr  # (U, width) canonical field elements
    siblings: list[bytes]


@dataclass
class Proof:
    params: ProofParams
    air_name: str
    log_trace: int
    public_inputs: tuple[int, ...]
    trace_root: bytes
    quotient_root: bytes
    ood_trace_z: Arr
    ood_trace_zg: Arr
    ood_quotient_z: Arr
    fri_roots: list[bytes]
    final_poly: Arr
    pow_nonce: int
    trace_open: Opening
    quotient_open: Opening
    fri_open: list[Opening]
    # auxiliary columns (present only when the AIR has them)
    aux_root: bytes = b""
    ood_aux_z: Arr = field(default_factory=lambda: np.zeros((0, 4), dtype=np.uint64))
    ood_aux_zg: Arr = field(default_factory=lambda: np.zeros((0, 4), dtype=np.uint64))
    aux_open: Opening | None = None


def _elems(a: Arr) -> bytes:
    return np.ascontiguousarray(a, dtype="<u4").tobytes()


def encode(proof: Proof) -> bytes:
    name = proof.air_name.encode("ascii")
    out = [MAGIC, struct.pack("<H", VERSION), proof.params.encode()]
    out += [struct.pack("<B", len(name)), name, struct.pack("<B", proof.log_trace)]
    out += [struct.pack("<H", len(proof.public_inputs))]
    out += [struct.pack(f"<{len(proof.public_inputs)}I", *proof.public_inputs)]
    out += [proof.trace_root, proof.aux_root, proof.quotient_root]
    out += [_elems(proof.ood_trace_z), _elems(proof.ood_trace_zg)]
    out += [_elems(proof.ood_aux_z), _elems(proof.ood_aux_zg), _elems(proof.ood_quotient_z)]
    out += list(proof.fri_roots)
    out += [_elems(proof.final_poly), struct.pack("<Q", proof.pow_nonce)]
    aux = [proof.aux_open] if proof.aux_open is not None else []
    for op in [proof.trace_open, *aux, proof.quotient_open, *proof.fri_open]:
        out += [struct.pack("<H", op.rows.shape[0]), _elems(op.rows)]
        out += [struct.pack("<H", len(op.siblings)), *op.siblings]
    return b"".join(out)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ProofFormatError("truncated proof")
        b = self.data[self.pos : self.pos + n]
        self.pos += n
        return b

    def u8(self) -> int:
        v: int = self.take(1)[0]
        return v

    def u16(self) -> int:
        v: int = struct.unpack("<H", self.take(2))[0]
        return v

    def u64(self) -> int:
        v: int = struct.unpack("<Q", self.take(8))[0]
        return v

    def elems(self, count: int) -> Arr:
        raw = np.frombuffer(self.take(4 * count), dtype="<u4")
        if raw.size and int(raw.max()) >= P:
            raise ProofFormatError("non-canonical field element")
        return raw.astype(np.uint64)


AirFactory = Callable[[str, int, Sequence[int]], Air]


def decode(data: bytes, make_air: AirFactory) -> tuple[Proof, Air]:
    """Parse and bound-check a proof; ``make_air(name, trace_length, public_inputs)`` builds
    the AIR (raising ``ValueError`` for an unknown name or inconsistent statement)."""
    r = _Reader(data)
    if r.take(4) != MAGIC:
        raise ProofFormatError("not a proof (bad magic)")
    version = r.u16()
    if version != VERSION:
        raise ProofFormatError(f"unsupported proof version {version}")
    try:
        params = ProofParams.decode(r.take(ProofParams.ENCODED_LEN))
    except ParamError as e:
        raise ProofFormatError(f"bad parameters: {e}") from e
    name_len = r.u8()
    if not 1 <= name_len <= MAX_NAME:
        raise ProofFormatError("bad AIR name length")
    try:
        name = r.take(name_len).decode("ascii")
    except UnicodeDecodeError as e:
        raise ProofFormatError("AIR name is not ASCII") from e
    log_trace = r.u8()
    if not 1 <= log_trace <= MAX_LOG_TRACE:
        raise ProofFormatError("trace length out of range")
    if log_trace + params.log_blowup > TWO_ADICITY:
        raise ProofFormatError("trace length out of range for this blowup (two-adicity)")
    n_pub = r.u16()
    if n_pub > MAX_PUBLIC:
        raise ProofFormatError("too many public inputs")
    public = tuple(int(v) for v in r.elems(n_pub))
    try:
        air = make_air(name, 1 << log_trace, public)
    except ValueError as e:
        raise ProofFormatError(f"bad statement: {e}") from e
    w = air.width
    qc = 4 * air.num_quotient_chunks
    wa = 4 * air.aux_width
    trace_root = r.take(DIGEST)
    aux_root = r.take(DIGEST) if wa else b""
    quotient_root = r.take(DIGEST)
    ood_z = r.elems(4 * w).reshape(w, 4)
    ood_zg = r.elems(4 * w).reshape(w, 4)
    ood_az = r.elems(4 * wa).reshape(wa, 4)
    ood_azg = r.elems(4 * wa).reshape(wa, 4)
    ood_q = r.elems(4 * qc).reshape(qc, 4)
    n_layers = params.fri_layers(log_trace)
    fri_roots = [r.take(DIGEST) for _ in range(n_layers)]
    d_final = 1 << params.final_log_degree(log_trace)
    final_poly = r.elems(4 * d_final).reshape(d_final, 4)
    nonce = r.u64()
    log_lde = log_trace + params.log_blowup
    widths = [(w, log_lde), *([(wa, log_lde)] if wa else []), (qc, log_lde)]
    widths += [
        (4 << params.fri_log_arity, log_lde - (i + 1) * params.fri_log_arity)
        for i in range(n_layers)
    ]
    openings = []
    for width, depth in widths:
        u = r.u16()
        if not 1 <= u <= params.num_queries:
            raise ProofFormatError("bad opening leaf count")
        rows = r.elems(u * width).reshape(u, width)
        s = r.u16()
        if s > u * depth:
            raise ProofFormatError("too many Merkle siblings")
        sibs = [r.take(DIGEST) for _ in range(s)]
        openings.append(Opening(rows, sibs))
    if r.pos != len(data):
        raise ProofFormatError("trailing bytes after proof")
    proof = Proof(
        params=params,
        air_name=name,
        log_trace=log_trace,
        public_inputs=public,
        trace_root=trace_root,
        quotient_root=quotient_root,
        ood_trace_z=ood_z,
        ood_trace_zg=ood_zg,
        ood_quotient_z=ood_q,
        fri_roots=fri_roots,
        final_poly=final_poly,
        pow_nonce=nonce,
        trace_open=openings[0],
        quotient_open=openings[2 if wa else 1],
        fri_open=openings[3 if wa else 2 :],
        aux_root=aux_root,
        ood_aux_z=ood_az,
        ood_aux_zg=ood_azg,
        aux_open=openings[1] if wa else None,
    )
    return proof, air
