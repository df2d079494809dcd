"""The STARK verifier.  ``verify`` never raises: every failure is a ``Verdict`` with a reason.

Checks, in order: format and bounds (canonical elements, exact lengths), the parameter floor,
the statement (AIR and public inputs), the transcript replay, composition-vs-constraints at
the out-of-domain point, proof of work, the Merkle multi-openings, the DEEP values at every
query against FRI layer 0, FRI folding consistency at every layer, and the final polynomial
(whose degree bound is exact by construction of the format).
"""

from __future__ import annotations

import struct
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import field as F
from .air import PY_EXT_OPS, Air, Ext4, Kind, from_py, to_py
from .airs import make_air
from .domain import Domain
from .field import P64, Arr
from .fri import fold_cosets, leaf_of
from .merkle import leaf_digest_of_row, verify_multi
from .params import Floor
from .proof import Opening, Proof, ProofFormatError, decode
from .protocol import (
    COSET_SHIFT,
    draw_ext_many,
    draw_ood_point,
    ext_bytes,
    periodic_coeffs,
    start_transcript,
)
from .security import conjectured_bits


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str

    def __bool__(self) -> bool:
        return self.accepted


DEFAULT_FLOOR = Floor()


class Reject(Exception):
    pass


def verify(
    data: bytes,
    floor: Floor = DEFAULT_FLOOR,
    *,
    expected_air: str | None = None,
    expected_public_inputs: Sequence[int] | None = None,
) -> Verdict:
    try:
        proof, air = decode(data, make_air)
        _verify(proof, air, floor, expected_air, expected_public_inputs)
    except ProofFormatError as e:
        return Verdict(False, f"malformed proof: {e}")
    except Reject as e:
        return Verdict(False, str(e))
    except Exception as e:  # defensive: nothing escapes the verifier
        return Verdict(False, f"rejected ({type(e).__name__}: {e})")
    return Verdict(True, "accepted")


def _check(cond: bool, why: str) -> None:
    if not cond:
        raise Reject(why)


def _verify(
    proof: Proof,
    air: Air,
    floor: Floor,
    expected_air: str | None,
    expected_public: Sequence[int] | None,
) -> None:
    params = proof.params
    log_n = proof.log_trace
    n = 1 << log_n
    _check(params.num_queries >= floor.min_queries, "fewer queries than the floor")
    _check(params.grinding_bits >= floor.min_grinding_bits, "less grinding than the floor")
    _check(
        conjectured_bits(params, log_n) >= floor.min_conjectured_bits,
        "conjectured security below the floor",
    )
    if expected_air is not None:
        _check(air.name == expected_air, "proof is for another AIR")
    if expected_public is not None:
        _check(
            tuple(int(v) for v in expected_public) == air.public_inputs,
            "proof is for other public inputs",
        )
    chunks = air.num_quotient_chunks
    _check(chunks <= params.blowup, "blowup too small for the constraint degree")
    w = air.width
    lb = params.log_blowup
    log_lde = log_n + lb
    la = params.fri_log_arity

    # ---- transcript replay
    t = start_transcript(params, air)
    t.absorb(b"trace_root", proof.trace_root)
    wa = 4 * air.aux_width
    aux_challenges = np.zeros((0, 4), dtype=np.uint64)
    if wa:
        aux_challenges = draw_ext_many(t, b"aux_challenges", air.num_aux_challenges)
        t.absorb(b"aux_root", proof.aux_root)
    coeffs = draw_ext_many(t, b"composition", air.num_composition_terms)
    t.absorb(b"quotient_root", proof.quotient_root)
    z = draw_ood_point(t, log_n, log_lde)
    g = F.root_of_unity(log_n)
    zg = F.ext_scale(z, np.uint64(g))
    t.absorb(
        b"ood",
        ext_bytes(proof.ood_trace_z)
        + ext_bytes(proof.ood_trace_zg)
        + ext_bytes(proof.ood_aux_z)
        + ext_bytes(proof.ood_aux_zg)
        + ext_bytes(proof.ood_quotient_z),
    )
    gam = draw_ext_many(t, b"deep", 2 * (w + wa) + 4 * chunks)
    betas = []
    for i, root in enumerate(proof.fri_roots):
        t.absorb(b"fri_root", root)
        betas.append(t.challenge_ext(b"fri_beta" + struct.pack("<I", i)))
    t.absorb(b"fri_final", ext_bytes(proof.final_poly))
    _check(t.check_pow(params.grinding_bits, proof.pow_nonce), "proof of work does not check")
    t.absorb(b"pow_nonce", struct.pack("<Q", proof.pow_nonce))
    queries = t.challenge_indices(b"queries", params.num_queries, log_lde)

    # ---- constraints at the out-of-domain point
    _check_ood(air, proof, coeffs, aux_challenges, z, n)

    # ---- Merkle openings of trace and quotient rows
    uq = sorted(set(queries))
    _check_opening(proof.trace_open, proof.trace_root, uq, log_lde, "trace")
    _check_opening(proof.quotient_open, proof.quotient_root, uq, log_lde, "quotient")
    main_rows = proof.trace_open.rows
    main_z, main_zg = proof.ood_trace_z, proof.ood_trace_zg
    if wa:
        _check(proof.aux_open is not None, "missing auxiliary opening")
        assert proof.aux_open is not None
        _check_opening(proof.aux_open, proof.aux_root, uq, log_lde, "aux")
        main_rows = np.concatenate([main_rows, proof.aux_open.rows], axis=1)
        main_z = np.concatenate([main_z, proof.ood_aux_z])
        main_zg = np.concatenate([main_zg, proof.ood_aux_zg])
    w = w + wa

    # ---- DEEP values at the queries
    dom = Domain(COSET_SHIFT, lb, log_n)
    row_of = {q: i for i, q in enumerate(uq)}
    xs = np.array([dom.point(q) for q in uq], dtype=np.uint64)
    g1, g2, g3 = gam[:w], gam[w : 2 * w], gam[2 * w :]
    trows = np.ascontiguousarray(main_rows.T)
    a = F.ext_add(
        F.combine_base_ext(trows, g1),
        F.combine_base_ext(np.ascontiguousarray(proof.quotient_open.rows.T), g3),
    )
    b = F.combine_base_ext(trows, g2)
    a_z = F.ext_add(_dot(g1, main_z), _dot(g3, proof.ood_quotient_z))
    b_zg = _dot(g2, main_zg)
    xe = F.ext_from_base(xs)
    deep_vals = F.ext_add(
        F.ext_mul(F.ext_sub(a, a_z[None]), F.ext_inv(F.ext_sub(xe, z[None]))),
        F.ext_mul(F.ext_sub(b, b_zg[None]), F.ext_inv(F.ext_sub(xe, zg[None]))),
    )
    current = {q: deep_vals[row_of[q]] for q in uq}

    # ---- FRI: every layer's opening, then folding consistency
    ldom = dom
    pos = {q: q for q in queries}  # original query -> position in the current layer
    for li, (root, op) in enumerate(zip(proof.fri_roots, proof.fri_open, strict=True)):
        where = {p: leaf_of(p, ldom, la) for p in set(pos.values())}
        leaves = sorted({leaf for leaf, _ in where.values()})
        _check_opening(op, root, leaves, ldom.log_b + ldom.log_m - la, f"FRI layer {li}")
        leaf_row = {leaf: i for i, leaf in enumerate(leaves)}
        vals = op.rows.reshape(len(leaves), 1 << la, 4)
        # the committed value at each query position must be the one we computed
        for p, (leaf, slot) in where.items():
            _check(
                F.ext_eq(vals[leaf_row[leaf], slot], current[p]),
                f"FRI layer {li} value inconsistent with the previous layer",
            )
        k = ldom.m >> la
        x_inv = np.array(
            [F.inv(ldom.point((leaf // k) * ldom.m + leaf % k)) for leaf in leaves],
            dtype=np.uint64,
        )
        folded = fold_cosets(vals.transpose(1, 0, 2), x_inv, betas[li], la)
        current = {leaf: folded[i] for i, leaf in enumerate(leaves)}
        pos = {q: where[p][0] for q, p in pos.items()}
        ldom = ldom.folded(la)
    # ---- final polynomial
    finals = sorted(set(pos.values()))
    ys = np.array([ldom.point(p) for p in finals], dtype=np.uint64)
    d = proof.final_poly.shape[0]
    ypow = np.ones((d, len(finals)), dtype=np.uint64)
    for j in range(1, d):
        ypow[j] = (ypow[j - 1] * ys) % P64
    evals = F.combine_base_ext(ypow, proof.final_poly)
    for i, p in enumerate(finals):
        _check(F.ext_eq(evals[i], current[p]), "FRI final polynomial mismatch")


def _dot(coeffs: Arr, vals: Arr) -> Arr:
    prod = F.ext_mul(coeffs, vals)  # each entry < p, so the sum of < 2^32 entries fits
    total: Arr = np.remainder(np.sum(prod, axis=0, dtype=np.uint64), P64)
    return total


def _check_opening(op: Opening, root: bytes, leaves: list[int], depth: int, what: str) -> None:
    _check(op.rows.shape[0] == len(leaves), f"{what}: wrong number of opened rows")
    digests = {
        leaf: leaf_digest_of_row(op.rows[i].astype(np.uint32)) for i, leaf in enumerate(leaves)
    }
    _check(verify_multi(root, depth, digests, op.siblings), f"{what}: Merkle opening fails")


def _ext_from_limbs(limbs: Arr) -> list[Ext4]:
    """Aux column values from their 4 base-limb polynomials' values: sum_l X^l·v_l."""
    ops = PY_EXT_OPS
    out = []
    for j in range(limbs.shape[0] // 4):
        acc: Ext4 = (0, 0, 0, 0)
        for limb in range(4):
            basis = (
                1 if limb == 0 else 0,
                1 if limb == 1 else 0,
                1 if limb == 2 else 0,
                1 if limb == 3 else 0,
            )
            acc = ops.add(acc, ops.mul(basis, to_py(limbs[4 * j + limb])))
        out.append(acc)
    return out


def _check_ood(
    air: Air, proof: Proof, coeffs: Arr, aux_challenges: Arr, z_arr: Arr, n: int
) -> None:
    ops = PY_EXT_OPS
    cur = [to_py(v) for v in proof.ood_trace_z]
    nxt = [to_py(v) for v in proof.ood_trace_zg]
    z = to_py(z_arr)
    per = []
    for pc in periodic_coeffs(air):
        m = pc.shape[0]
        per.append(to_py(F.ext_eval_poly(F.ext_from_base(pc), F.ext_pow(z_arr, n // m))))
    vals = air.eval_constraints(ops, cur, nxt, per)
    _check(len(vals) == len(air.constraints), "AIR returned the wrong number of constraints")
    zn = to_py(F.ext_pow(z_arr, n))
    z_all_inv = to_py(F.ext_inv(from_py(ops.add_const(zn, -1))))
    g_last = pow(F.root_of_unity(n.bit_length() - 1), n - 1, F.P)
    tr_inv = ops.mul(z_all_inv, ops.add_const(z, -g_last))
    cs = [to_py(c) for c in coeffs]
    zero: Ext4 = (0, 0, 0, 0)
    acc_all, acc_tr = zero, zero
    for i, c in enumerate(air.constraints):
        term = ops.mul(cs[i], vals[i])
        if c.kind is Kind.EVERY_ROW:
            acc_all = ops.add(acc_all, term)
        else:
            acc_tr = ops.add(acc_tr, term)
    total = ops.add(ops.mul(acc_all, z_all_inv), ops.mul(acc_tr, tr_inv))
    bexpr = air.eval_boundary(ops, cur)
    _check(len(bexpr) == len(air.boundary), "AIR returned the wrong number of boundaries")
    gen_n = F.root_of_unity(n.bit_length() - 1)
    by_row: dict[int, list[int]] = defaultdict(list)
    for j, bd in enumerate(air.boundary):
        by_row[bd.row].append(j)
    k0 = len(air.constraints)
    for r, js in by_row.items():
        dinv = to_py(F.ext_inv(from_py(ops.add_const(z, -pow(gen_n, r, F.P)))))
        acc = zero
        for j in js:
            acc = ops.add(acc, ops.mul(cs[k0 + j], ops.add_const(bexpr[j], -air.boundary[j].value)))
        total = ops.add(total, ops.mul(acc, dinv))
    if air.aux_width:
        acur = _ext_from_limbs(proof.ood_aux_z)
        anxt = _ext_from_limbs(proof.ood_aux_zg)
        chal = [to_py(c) for c in aux_challenges]
        avals = air.eval_aux_constraints(ops, cur, nxt, acur, anxt, per, chal)
        _check(len(avals) == len(air.aux_constraints), "AIR returned the wrong aux count")
        k1 = k0 + len(air.boundary)
        for i, c in enumerate(air.aux_constraints):
            zi = z_all_inv if c.kind is Kind.EVERY_ROW else tr_inv
            total = ops.add(total, ops.mul(ops.mul(cs[k1 + i], avals[i]), zi))
        k2 = k1 + len(air.aux_constraints)
        abnd = air.eval_aux_boundary(ops, cur, acur, chal)
        _check(len(abnd) == len(air.aux_boundary), "AIR returned the wrong aux boundary count")
        for j, abd in enumerate(air.aux_boundary):
            dinv = to_py(F.ext_inv(from_py(ops.add_const(z, -pow(gen_n, abd.row, F.P)))))
            total = ops.add(total, ops.mul(ops.mul(cs[k2 + j], abnd[j]), dinv))
    # the committed quotient at z: sum_j z^(j n) sum_l X^l H_{j,l}(z)
    q = zero
    zpow: Ext4 = (1, 0, 0, 0)
    for j in range(air.num_quotient_chunks):
        hj = zero
        for limb in range(4):
            basis = tuple(1 if i == limb else 0 for i in range(4))
            hj = ops.add(hj, ops.mul(basis, to_py(proof.ood_quotient_z[4 * j + limb])))  # type: ignore[arg-type]
        q = ops.add(q, ops.mul(zpow, hj))
        zpow = ops.mul(zpow, zn)
    _check(q == total, "composition polynomial disagrees with the constraints at z")
