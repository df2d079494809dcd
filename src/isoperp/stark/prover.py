"""The STARK prover: trace -> LDE commitment -> composition quotient -> DEEP -> FRI."""

from __future__ import annotations

import os
import struct
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from . import field as F
from .air import BASE_OPS, Air, Kind
from .air import EXT_OPS as F_EXT_OPS
from .domain import Domain, coset_evals
from .field import P64, Arr
from .fri import fold_layer, layer_rows, leaf_of
from .merkle import MerkleTree
from .ntt import coset_intt, intt
from .parallel import shared_empty, single_threaded_blas, split_run, workers_for_this_run
from .params import DEFAULT_PARAMS, ProofParams
from .proof import Opening, Proof
from .protocol import (
    COSET_SHIFT,
    draw_ext_many,
    draw_ood_point,
    ext_bytes,
    periodic_coeffs,
    start_transcript,
)

EVAL_BLOCK = 1 << 13


class ProverError(ValueError):
    pass


@dataclass
class Profile:
    """Wall-clock and CPU seconds per prover phase (CPU includes forked workers)."""

    phases: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    workers: int = 1

    def add(self, name: str, seconds: float, cpu_seconds: float = 0.0) -> None:
        self.phases[name] = self.phases.get(name, 0.0) + seconds
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu_seconds


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class _Timer:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.t = time.perf_counter()
        self.c = _cpu_now()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), _cpu_now()
        self.profile.add(name, now - self.t, cpu - self.c)
        self.t, self.c = now, cpu


def _eval_poly_ext(coeffs: Arr, *points: Arr) -> Arr:
    """Evaluate base polynomials ``coeffs`` (C, n) at extension points: (C, 4·#points)."""
    pw = np.concatenate([F.ext_powers(pt, coeffs.shape[1]) for pt in points], axis=1)
    return F.combine_base_ext(np.ascontiguousarray(coeffs.T), pw)


Tamper = Callable[[str, npt.NDArray[np.uint32]], None]


def _commit_rows(cols: Arr, name: str, tamper: Tamper | None) -> MerkleTree:
    if tamper is None:
        return MerkleTree(cols)
    rows = np.ascontiguousarray(cols.T).astype(np.uint32)
    tamper(name, rows)
    return MerkleTree(rows.T.astype(np.uint64))


def prove(
    air: Air,
    trace: Arr,
    params: ProofParams = DEFAULT_PARAMS,
    *,
    check: bool = True,
    profile: Profile | None = None,
    tamper: Tamper | None = None,
) -> Proof:
    """Prove that ``trace`` satisfies ``air``.

    ``check=False`` and ``tamper`` exist for soundness tests only: the first makes the prover
    go on with an invalid trace (a proof of a false statement), the second may alter the
    committed rows ("trace" / "quotient") after everything else was computed from the honest
    ones, so openings carry valid Merkle paths for dishonest values."""
    with single_threaded_blas(), workers_for_this_run() as nworkers:
        if profile is not None:
            profile.workers = nworkers
        return _prove(air, trace, params, check, profile, tamper)


def _prove(
    air: Air,
    trace: Arr,
    params: ProofParams,
    check: bool,
    profile: Profile | None,
    tamper: Tamper | None,
) -> Proof:
    params.validate()
    air.check_shape()
    prof = profile if profile is not None else Profile()
    tm = _Timer(prof)
    n = air.trace_length
    log_n = n.bit_length() - 1
    w = air.width
    if trace.shape != (w, n):
        raise ProverError(f"trace must have shape {(w, n)}")
    if np.any(trace >= P64):
        raise ProverError("trace holds non-canonical field elements")
    lb = params.log_blowup
    blow = 1 << lb
    if air.num_quotient_chunks > blow:
        raise ProverError("blowup too small for the constraint degree")
    log_lde = log_n + lb
    t = start_transcript(params, air)

    if check:
        _check_trace(air, trace, None, np.zeros((0, 4), dtype=np.uint64))
        tm.lap("check_trace")

    # ---- 1. trace commitment
    dom = Domain(COSET_SHIFT, lb, log_n)
    trace_coeffs = intt(trace)
    trace_lde = coset_evals(trace_coeffs, dom)
    tm.lap("trace_lde")
    trace_tree = _commit_rows(trace_lde, "trace", tamper)
    t.absorb(b"trace_root", trace_tree.root)
    tm.lap("trace_commit")

    # ---- 1b. auxiliary columns, built from challenges drawn after the trace commitment
    aux_tree: MerkleTree | None = None
    aux_coeffs = np.zeros((0, n), dtype=np.uint64)
    aux_lde = np.zeros((0, dom.size), dtype=np.uint64)
    aux_challenges = np.zeros((0, 4), dtype=np.uint64)
    if air.aux_width:
        aux_challenges = draw_ext_many(t, b"aux_challenges", air.num_aux_challenges)
        aux = air.build_aux(trace, aux_challenges)
        if aux.shape != (air.aux_width, n, 4):
            raise ProverError("auxiliary trace has the wrong shape")
        if check:
            _check_trace(air, trace, aux, aux_challenges)
        limbs = np.ascontiguousarray(aux.transpose(0, 2, 1).reshape(4 * air.aux_width, n))
        aux_coeffs = intt(limbs)
        aux_lde = coset_evals(aux_coeffs, dom)
        aux_tree = _commit_rows(aux_lde, "aux", tamper)
        t.absorb(b"aux_root", aux_tree.root)
        tm.lap("aux")

    # ---- 2. composition quotient on the LDE domain
    coeffs = draw_ext_many(t, b"composition", air.num_composition_terms)
    chunks = air.num_quotient_chunks
    quotient = _composition(air, trace_lde, coeffs, dom, chunks)
    if air.aux_width:
        aux_q = _aux_composition(air, trace_lde, aux_lde, aux_challenges, coeffs, dom, chunks)
        quotient = F.ext_add(quotient, aux_q)
    tm.lap("constraints")
    chunk_coeffs = _quotient_chunks(quotient, dom, chunks)
    quot_lde = coset_evals(chunk_coeffs, dom)
    tm.lap("quotient_lde")
    quot_tree = _commit_rows(quot_lde, "quotient", tamper)
    t.absorb(b"quotient_root", quot_tree.root)
    tm.lap("quotient_commit")

    # ---- 3. out-of-domain evaluations
    z = draw_ood_point(t, log_n, log_lde)
    g = F.root_of_unity(log_n)
    zg = F.ext_scale(z, np.uint64(g))
    both = _eval_poly_ext(trace_coeffs, z, zg)
    ood_z, ood_zg = both[:, :4], both[:, 4:]
    aux_both = _eval_poly_ext(aux_coeffs, z, zg)
    ood_az, ood_azg = aux_both[:, :4], aux_both[:, 4:]
    ood_q = _eval_poly_ext(chunk_coeffs, z)
    t.absorb(
        b"ood",
        ext_bytes(ood_z)
        + ext_bytes(ood_zg)
        + ext_bytes(ood_az)
        + ext_bytes(ood_azg)
        + ext_bytes(ood_q),
    )
    tm.lap("ood")

    # ---- 4. DEEP composition
    wa = 4 * air.aux_width
    gam = draw_ext_many(t, b"deep", 2 * (w + wa) + 4 * chunks)
    main_lde = np.concatenate([trace_lde, aux_lde]) if wa else trace_lde
    main_z = np.concatenate([ood_z, ood_az]) if wa else ood_z
    main_zg = np.concatenate([ood_zg, ood_azg]) if wa else ood_zg
    deep = _deep(main_lde, quot_lde, gam, z, zg, main_z, main_zg, ood_q, dom)
    del quotient
    tm.lap("deep")

    # ---- 5. FRI commit phase
    la = params.fri_log_arity
    n_layers = params.fri_layers(log_n)
    layer = deep
    ldom = dom
    trees: list[MerkleTree] = []
    doms: list[Domain] = []
    roots: list[bytes] = []
    for i in range(n_layers):
        tree = MerkleTree(layer_rows(layer, ldom, la).T)
        trees.append(tree)
        doms.append(ldom)
        roots.append(tree.root)
        t.absorb(b"fri_root", tree.root)
        beta = t.challenge_ext(b"fri_beta" + struct.pack("<I", i))
        layer = fold_layer(layer, ldom, beta, la)
        ldom = ldom.folded(la)
    d_final = 1 << params.final_log_degree(log_n)
    final_coeffs = coset_intt(ldom.to_natural(np.ascontiguousarray(layer.T)), ldom.shift).T
    if check and np.any(final_coeffs[d_final:]):
        raise ProverError("FRI final polynomial exceeds its degree bound")
    final_poly = np.ascontiguousarray(final_coeffs[:d_final])
    t.absorb(b"fri_final", ext_bytes(final_poly))
    tm.lap("fri")

    # ---- 6. grinding, then queries
    nonce = t.grind(params.grinding_bits)
    t.absorb(b"pow_nonce", struct.pack("<Q", nonce))
    queries = t.challenge_indices(b"queries", params.num_queries, log_lde)
    prof.queries = list(queries)
    tm.lap("grinding")

    uq = sorted(set(queries))
    trace_open = Opening(trace_tree.rows_at(uq), trace_tree.open(uq))
    quot_open = Opening(quot_tree.rows_at(uq), quot_tree.open(uq))
    aux_open = Opening(aux_tree.rows_at(uq), aux_tree.open(uq)) if aux_tree else None
    fri_open = []
    pos = list(queries)
    for tree, ld in zip(trees, doms, strict=True):
        leaves = sorted({leaf_of(p, ld, la)[0] for p in pos})
        fri_open.append(Opening(tree.rows_at(leaves), tree.open(leaves)))
        pos = [leaf_of(p, ld, la)[0] for p in pos]
    tm.lap("openings")
    return Proof(
        params=params,
        air_name=air.name,
        log_trace=log_n,
        public_inputs=air.public_inputs,
        trace_root=trace_tree.root,
        quotient_root=quot_tree.root,
        ood_trace_z=ood_z,
        ood_trace_zg=ood_zg,
        aux_root=aux_tree.root if aux_tree else b"",
        ood_aux_z=ood_az,
        ood_aux_zg=ood_azg,
        aux_open=aux_open,
        ood_quotient_z=ood_q,
        fri_roots=roots,
        final_poly=final_poly,
        pow_nonce=nonce,
        trace_open=trace_open,
        quotient_open=quot_open,
        fri_open=fri_open,
    )


def _quotient_chunks(quotient: Arr, dom: Domain, chunks: int) -> Arr:
    """Chunk polynomials H_j (degree < n) of Q = sum_j x^(jn) H_j from Q's values on the first
    ``chunks`` cosets, as limb-major base coefficients (4·chunks, n): row 4j + l is limb l.

    On coset k (points c_k·w^i), x^(jn) is the constant y_k^j with y_k = c_k^n, so the
    interpolant G_k of Q's values there has coefficients G_k[t] = c_k^t·sum_j y_k^j h_j[t]:
    one length-n iNTT per coset, then a chunks x chunks Vandermonde solve per coefficient."""
    n = dom.m
    ys = [pow(dom.coset_shift(k), n, F.P) for k in range(chunks)]  # distinct: s^n·w_b^k
    vinv = _inverse_matrix([[pow(y, j, F.P) for j in range(chunks)] for y in ys])
    scaled = []
    for k in range(chunks):
        g = intt(np.ascontiguousarray(quotient[k * n : (k + 1) * n].T))  # (4, n)
        scaled.append((g * F.powers(F.inv(dom.coset_shift(k)), n)) % P64)
    out = np.empty((4 * chunks, n), dtype=np.uint64)
    for j in range(chunks):
        acc = np.zeros((4, n), dtype=np.uint64)
        for k in range(chunks):
            acc = (acc + scaled[k] * np.uint64(vinv[j][k])) % P64
        out[4 * j : 4 * j + 4] = acc
    return out


def _inverse_matrix(m: list[list[int]]) -> list[list[int]]:
    """Inverse of a small invertible matrix over BabyBear (Gauss-Jordan on Python ints)."""
    size = len(m)
    a = [[v % F.P for v in row] + [int(i == j) for j in range(size)] for i, row in enumerate(m)]
    for col in range(size):
        piv = next(r for r in range(col, size) if a[r][col])
        a[col], a[piv] = a[piv], a[col]
        inv_p = F.inv(a[col][col])
        a[col] = [v * inv_p % F.P for v in a[col]]
        for r in range(size):
            if r != col and a[r][col]:
                f = a[r][col]
                a[r] = [(v - f * w) % F.P for v, w in zip(a[r], a[col], strict=True)]
    return [row[size:] for row in a]


def _check_trace(air: Air, trace: Arr, aux: Arr | None, challenges: Arr) -> None:
    """Refuse a trace that violates a constraint (on the trace domain itself)."""
    n = air.trace_length
    per = [
        np.tile(np.array(col, dtype=np.uint64) % P64, n // len(col))
        for col in air.periodic_columns()
    ]
    nxt_idx = np.roll(np.arange(n), -1)
    for s in range(0, n, EVAL_BLOCK):
        e = min(n, s + EVAL_BLOCK)
        cur = list(trace[:, s:e])
        nxt = list(trace[:, nxt_idx[s:e]])
        vals = air.eval_constraints(BASE_OPS, cur, nxt, [p[s:e] for p in per])
        for i, c in enumerate(air.constraints):
            v = np.broadcast_to(vals[i], (e - s,))
            bad = np.nonzero(v[: n - 1 - s] if c.kind is Kind.TRANSITION else v)[0]
            if bad.size:
                raise ProverError(f"constraint {i} fails at row {s + int(bad[0])}")
    rows = list(trace)
    bexpr = air.eval_boundary(BASE_OPS, rows)
    for j, bd in enumerate(air.boundary):
        if int(np.broadcast_to(bexpr[j], (n,))[bd.row]) != bd.value % F.P:
            raise ProverError(f"boundary constraint {j} fails at row {bd.row}")
    if aux is None:
        return
    ext_rows = [F.ext_from_base(c) for c in trace]
    ext_next = [F.ext_from_base(c[nxt_idx]) for c in trace]
    aux_rows = [aux[j] for j in range(aux.shape[0])]
    aux_next = [aux[j][nxt_idx] for j in range(aux.shape[0])]
    chal = [challenges[i] for i in range(challenges.shape[0])]
    ext_per = [F.ext_from_base(p) for p in per]
    avals = air.eval_aux_constraints(
        F_EXT_OPS, ext_rows, ext_next, aux_rows, aux_next, ext_per, chal
    )
    for i, c in enumerate(air.aux_constraints):
        v = np.broadcast_to(avals[i], (n, 4))
        bad = np.nonzero(np.any(v[: n - 1] if c.kind is Kind.TRANSITION else v, axis=1))[0]
        if bad.size:
            raise ProverError(f"auxiliary constraint {i} fails at row {int(bad[0])}")
    abnd = air.eval_aux_boundary(F_EXT_OPS, ext_rows, aux_rows, chal)
    for j, abd in enumerate(air.aux_boundary):
        if np.any(np.broadcast_to(abnd[j], (n, 4))[abd.row]):
            raise ProverError(f"auxiliary boundary constraint {j} fails at row {abd.row}")


def _composition(air: Air, trace_lde: Arr, coeffs: Arr, dom: Domain, ncos: int) -> Arr:
    """sum_i c_i C_i(x) / Z_i(x) on the first ``ncos`` cosets of the LDE domain (enough to
    determine the quotient, whose degree is below ncos·n); returns (ncos·n, 4)."""
    n = air.trace_length
    log_n = n.bit_length() - 1
    g_last = pow(F.root_of_unity(log_n), n - 1, F.P)
    n_cons = len(air.constraints)
    c_coeffs = coeffs[:n_cons]
    b_coeffs = coeffs[n_cons:]
    idx_all = [i for i, c in enumerate(air.constraints) if c.kind is Kind.EVERY_ROW]
    idx_tr = [i for i, c in enumerate(air.constraints) if c.kind is Kind.TRANSITION]
    rows: dict[int, list[int]] = defaultdict(list)
    for j, bd in enumerate(air.boundary):
        rows[bd.row].append(j)
    gen_n = F.root_of_unity(log_n)
    row_points = {r: pow(gen_n, r, F.P) for r in rows}
    bvals = np.array([bd.value for bd in air.boundary], dtype=np.uint64)
    periodic = periodic_coeffs(air)

    out = shared_empty((ncos * n, 4), np.uint64)

    def work(k_lo: int, k_hi: int) -> None:
        for k in range(k_lo, k_hi):
            _composition_coset(air, trace_lde, dom, k, out, parts)

    parts = (c_coeffs, b_coeffs, idx_all, idx_tr, rows, row_points, bvals, periodic, g_last)
    split_run(work, ncos, parallel=trace_lde.size >= 1 << 18)
    return out


def _coset_constants(
    dom: Domain, k: int, n: int, periodic: Sequence[Arr]
) -> tuple[np.uint64, list[Arr]]:
    """On coset k: 1/(x^n − 1), a constant there (ck^n − 1), and each periodic column
    p(x^(n/m)) evaluated at its points (x^(n/m) = ck^(n/m)·w_m^i, period m in i)."""
    ck = dom.coset_shift(k)
    z_all_inv = np.uint64(F.inv((pow(ck, n, F.P) - 1) % F.P))
    per_vals = []
    for pc in periodic:
        m = pc.shape[0]
        pv = coset_evals(pc[None, :], Domain(pow(ck, n // m, F.P), 0, m.bit_length() - 1))
        per_vals.append(np.tile(pv[0], n // m))
    return z_all_inv, per_vals


def _composition_coset(
    air: Air, trace_lde: Arr, dom: Domain, k: int, out: Arr, parts: tuple[Any, ...]
) -> None:
    c_coeffs, b_coeffs, idx_all, idx_tr, rows, row_points, bvals, periodic, g_last = parts
    n = air.trace_length
    z_all_inv, per_vals = _coset_constants(dom, k, n, periodic)
    base = k * n
    for s in range(0, n, EVAL_BLOCK):
        e = min(n, s + EVAL_BLOCK)
        cur = trace_lde[:, base + s : base + e]
        if e < n:
            nxt = trace_lde[:, base + s + 1 : base + e + 1]
        else:
            nxt = np.concatenate(
                [trace_lde[:, base + s + 1 : base + e], trace_lde[:, base : base + 1]], axis=1
            )
        per = [pv[s:e] for pv in per_vals]
        vals = air.eval_constraints(BASE_OPS, list(cur), list(nxt), per)
        x = dom.points(base + s, base + e)
        acc = np.zeros((e - s, 4), dtype=np.uint64)
        if idx_all:
            v = np.stack([vals[i] for i in idx_all])
            comb = F.combine_base_ext(v, c_coeffs[idx_all])
            acc = F.ext_add(acc, (comb * z_all_inv) % P64)
        if idx_tr:
            v = np.stack([vals[i] for i in idx_tr])
            tr_inv = F.mul(F.sub(x, np.uint64(g_last)), z_all_inv)
            acc = F.ext_add(acc, F.ext_scale(F.combine_base_ext(v, c_coeffs[idx_tr]), tr_inv))
        if rows:
            bexpr = air.eval_boundary(BASE_OPS, list(cur))
            for r, js in rows.items():
                v = np.stack([F.sub(bexpr[j], bvals[j]) for j in js])
                dinv = F.inv_arr(F.sub(x, np.uint64(row_points[r])))
                comb = F.combine_base_ext(v, b_coeffs[js])
                acc = F.ext_add(acc, F.ext_scale(comb, dinv))
        out[base + s : base + e] = acc


def expand_ext_coeffs(coeffs: Arr) -> Arr:
    """(K, 4) -> (4K, 4): row 4i + l is coeffs[i]·X^l, so that sum_i c_i·v_i for extension
    values v_i = sum_l v_il X^l becomes a base-by-extension combination of the limbs."""
    basis = np.eye(4, dtype=np.uint64)
    out = F.ext_mul(coeffs[:, None, :], basis[None, :, :])
    r: Arr = out.reshape(-1, 4)
    return r


def _aux_composition(
    air: Air, trace_lde: Arr, aux_lde: Arr, challenges: Arr, coeffs: Arr, dom: Domain, ncos: int
) -> Arr:
    """The auxiliary constraints' share of the composition, evaluated in the extension."""
    n = air.trace_length
    log_n = n.bit_length() - 1
    g_last = pow(F.root_of_unity(log_n), n - 1, F.P)
    gen_n = F.root_of_unity(log_n)
    k0 = len(air.constraints) + len(air.boundary)
    cons = air.aux_constraints
    c_all = [i for i, c in enumerate(cons) if c.kind is Kind.EVERY_ROW]
    c_tr = [i for i, c in enumerate(cons) if c.kind is Kind.TRANSITION]
    c_co = coeffs[k0 : k0 + len(cons)]
    b_co = coeffs[k0 + len(cons) :]
    chal = [challenges[i] for i in range(challenges.shape[0])]
    periodic = periodic_coeffs(air)
    aw = air.aux_width
    out = np.empty((ncos * n, 4), dtype=np.uint64)
    block = min(n, EVAL_BLOCK)

    def ext_rows(lde: Arr, cols: range, s: int, e: int) -> list[Arr]:
        return [F.ext_from_base(lde[c, s:e]) for c in cols]

    def aux_rows(s: int, e: int) -> list[Arr]:
        return [np.ascontiguousarray(aux_lde[4 * j : 4 * j + 4, s:e].T) for j in range(aw)]

    def combine(vals: list[Arr], idx: list[int], co: Arr, size: int) -> Arr:
        v = np.concatenate([np.broadcast_to(vals[i], (size, 4)).T for i in idx])
        return F.combine_base_ext(np.ascontiguousarray(v), expand_ext_coeffs(co[idx]))

    for k in range(ncos):
        z_all_inv, per_vals = _coset_constants(dom, k, n, periodic)
        base = k * n
        for s in range(0, n, block):
            e = s + block
            nx = np.arange(base + s + 1, base + e + 1)
            nx[-1] = base + (e % n)
            cur = ext_rows(trace_lde, range(air.width), base + s, base + e)
            nxt = [F.ext_from_base(trace_lde[c, nx]) for c in range(air.width)]
            acur = aux_rows(base + s, base + e)
            anxt = [np.ascontiguousarray(aux_lde[4 * j : 4 * j + 4, nx].T) for j in range(aw)]
            per = [F.ext_from_base(pv[s:e]) for pv in per_vals]
            vals = air.eval_aux_constraints(F_EXT_OPS, cur, nxt, acur, anxt, per, chal)
            x = dom.points(base + s, base + e)
            acc = np.zeros((e - s, 4), dtype=np.uint64)
            if c_all:
                acc = F.ext_add(acc, (combine(vals, c_all, c_co, e - s) * z_all_inv) % P64)
            if c_tr:
                tr_inv = F.mul(F.sub(x, np.uint64(g_last)), z_all_inv)
                acc = F.ext_add(acc, F.ext_scale(combine(vals, c_tr, c_co, e - s), tr_inv))
            bexpr = air.eval_aux_boundary(F_EXT_OPS, cur, acur, chal)
            for j, bd in enumerate(air.aux_boundary):
                dinv = F.inv_arr(F.sub(x, np.uint64(pow(gen_n, bd.row, F.P))))
                term = combine(bexpr, [j], b_co, e - s)
                acc = F.ext_add(acc, F.ext_scale(term, dinv))
            out[base + s : base + e] = acc
    return out


def _deep(
    trace_lde: Arr,
    quot_lde: Arr,
    gam: Arr,
    z: Arr,
    zg: Arr,
    ood_z: Arr,
    ood_zg: Arr,
    ood_q: Arr,
    dom: Domain,
) -> Arr:
    w = trace_lde.shape[0]
    g1, g2, g3 = gam[:w], gam[w : 2 * w], gam[2 * w :]
    a_z = F.ext_add(_ext_dot(g1, ood_z), _ext_dot(g3, ood_q))
    b_zg = _ext_dot(g2, ood_zg)
    out = shared_empty((dom.size, 4), np.uint64)
    block = min(dom.m, 1 << 14)

    def work(lo: int, hi: int) -> None:
        for s in range(lo * block, hi * block, block):
            _deep_block(s, s + block)

    g12 = np.ascontiguousarray(np.concatenate([g1, g2], axis=1))  # (W, 8): both sums at once

    def _deep_block(s: int, e: int) -> None:
        x = dom.points(s, e)
        ab = F.combine_base_ext(trace_lde[:, s:e], g12)
        a = F.ext_add(ab[:, :4], F.combine_base_ext(quot_lde[:, s:e], g3))
        b = ab[:, 4:]
        xe = F.ext_from_base(x)
        dz = F.ext_sub(xe, z[None, :])
        dzg = F.ext_sub(xe, zg[None, :])
        inv_both = F.ext_inv(F.ext_mul(dz, dzg))  # one inversion for both denominators
        out[s:e] = F.ext_mul(
            F.ext_add(
                F.ext_mul(F.ext_sub(a, a_z[None, :]), dzg),
                F.ext_mul(F.ext_sub(b, b_zg[None, :]), dz),
            ),
            inv_both,
        )

    split_run(work, dom.size // block, parallel=trace_lde.size >= 1 << 18)
    return out


def _ext_dot(coeffs: Arr, vals: Arr) -> Arr:
    acc = F.ext(0)
    for c, v in zip(coeffs, vals, strict=True):
        acc = F.ext_add(acc, F.ext_mul(c, v))
    return acc


__all__ = ["Profile", "ProverError", "prove"]
