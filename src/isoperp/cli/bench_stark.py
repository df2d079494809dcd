"""``isoperp bench stark``: prove and verify an example AIR, print timings and sizes."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from typing import Any

from isoperp.stark import security
from isoperp.stark.api import EXAMPLES, build_example, params_for
from isoperp.stark.proof import encode
from isoperp.stark.prover import Profile, prove
from isoperp.stark.verifier import verify


def register(benches: Any) -> None:
    p: argparse.ArgumentParser = benches.add_parser("stark", help="STARK prover/verifier")
    p.add_argument("--air", required=True, choices=EXAMPLES)
    p.add_argument("--steps", required=True, type=int)
    p.add_argument("--blowup", type=int, default=8)
    p.add_argument("--bits", type=int, default=100, help="target conjectured security")
    p.add_argument("--grinding", type=int, default=10)
    p.add_argument("--fri-arity", type=int, default=4, choices=(2, 4, 8))
    p.add_argument("--verify-runs", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def run(args: argparse.Namespace) -> int:
    try:
        params = params_for(args.bits, args.blowup, args.grinding, args.fri_arity.bit_length() - 1)
        t0 = time.perf_counter()
        air, trace = build_example(args.air, args.steps)
        t1 = time.perf_counter()
        profile = Profile()
        proof = prove(air, trace, params, profile=profile)
        t2 = time.perf_counter()
    except ValueError as e:  # ProverError and ParamError are ValueErrors
        print(f"error: {e}", file=sys.stderr)
        return 2
    data = encode(proof)
    times = []
    ok = True
    for _ in range(max(1, args.verify_runs)):
        s = time.perf_counter()
        ok = verify(data).accepted and ok
        times.append(time.perf_counter() - s)
    sec = security.compute(params, proof.log_trace)
    result = {
        "air": args.air,
        "steps": args.steps,
        "trace_length": air.trace_length,
        "trace_width": air.width,
        "blowup": params.blowup,
        "queries": params.num_queries,
        "grinding_bits": params.grinding_bits,
        "fri_arity": 1 << params.fri_log_arity,
        "trace_gen_s": round(t1 - t0, 4),
        "prove_s": round(t2 - t1, 4),
        "trace_and_prove_s": round(t2 - t0, 4),
        "verify_s": round(min(times), 5),
        "verified": ok,
        "proof_bytes": len(data),
        "conjectured_bits": sec.conjectured_bits,
        "proven_bits": sec.proven_bits,
        "proven_list_decoding_bits": sec.proven_list_decoding_bits,
        "proven_unique_decoding_bits": sec.proven_unique_decoding_bits,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "workers": profile.workers,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "profile_s": {k: round(v, 4) for k, v in profile.phases.items()},
        "profile_cpu_s": {k: round(v, 3) for k, v in profile.cpu.items()},
        "cpu_s": round(sum(profile.cpu.values()), 3),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>28}: {v}")
    return 0 if ok else 1
