"""``isoperp stark prove|verify``: write a proof file for an example AIR, check one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from isoperp.stark import security
from isoperp.stark.api import EXAMPLES, build_example, params_for
from isoperp.stark.params import Floor
from isoperp.stark.proof import encode
from isoperp.stark.prover import ProverError, prove
from isoperp.stark.verifier import verify


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("stark", help="STARK proofs")
    sub = parser.add_subparsers(dest="stark_command", required=True)
    p = sub.add_parser("prove", help="prove an example statement")
    p.add_argument("--air", required=True, choices=EXAMPLES)
    p.add_argument("--steps", required=True, type=int)
    p.add_argument("--out", type=Path, default=None, help="proof file (default: stdout)")
    p.add_argument("--blowup", type=int, default=8)
    p.add_argument("--bits", type=int, default=100, help="target conjectured security")
    p.add_argument("--grinding", type=int, default=10)
    p.set_defaults(run=run_prove)
    v = sub.add_parser("verify", help="verify a proof file (exit 0 only if accepted)")
    v.add_argument("file", type=Path)
    v.add_argument("--min-bits", type=int, default=96, help="conjectured-security floor")
    v.add_argument("--min-queries", type=int, default=1)
    v.add_argument("--min-grinding", type=int, default=0)
    v.set_defaults(run=run_verify)


def run_prove(args: argparse.Namespace) -> int:
    try:
        params = params_for(args.bits, args.blowup, args.grinding)
        air, trace = build_example(args.air, args.steps)
        proof = prove(air, trace, params)
    except (ValueError, ProverError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    data = encode(proof)
    sec = security.compute(params, proof.log_trace)
    if args.out is None:
        sys.stdout.buffer.write(data)
    else:
        args.out.write_bytes(data)
        print(
            f"wrote {args.out} ({len(data)} bytes; {sec.conjectured_bits} conjectured bits, "
            f"{sec.proven_bits} proven bits)",
            file=sys.stderr,
        )
    return 0


def run_verify(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    floor = Floor(args.min_bits, args.min_queries, args.min_grinding)
    verdict = verify(data, floor)
    print(verdict.reason)
    return 0 if verdict.accepted else 1
