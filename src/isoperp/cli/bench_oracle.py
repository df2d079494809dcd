"""``isoperp bench oracle``: full price-report verification throughput on one core.

Reports are signed before the clock starts; the timed part is ``apply_price_report`` on each
report in turn (admission checks, Pedersen messages, every signature, the band), as the
engine runs it. Each signer's verification table is built before timing (it is built once
per whitelisted key and cached), and its cost is reported as ``setup_seconds``. The figures
are the median of ``--repeat`` runs (the project quotes medians); every run is listed.
"""

import argparse
import json
import random
import statistics
import time
from typing import Any

from isoperp.commands.oracle import PriceReport
from isoperp.crypto import precomputed_key, public_key, verify, verify_fast
from isoperp.events import Rejected
from isoperp.oracle import OracleConfig, OracleState, Verifier, apply_price_report, sign_price

ASSET_ID = 0x4554482D5553440000000000000000
START_S = 1_700_000_000
VERIFIERS: dict[str, Verifier] = {"fast": verify_fast, "library": verify}


def _reports(count: int, private_keys: list[int], seed: int) -> list[PriceReport]:
    rng = random.Random(seed)
    price = 200_000
    reports = []
    for i in range(count):
        t_s = START_S + i
        price += rng.randint(-100, 100)
        observed = [price + rng.randint(-20, 20) for _ in private_keys]
        median = sorted(observed)[len(observed) // 2]
        signed = tuple(
            sign_price(k, ASSET_ID, p, t_s) for k, p in zip(private_keys, observed, strict=True)
        )
        report = PriceReport(ts=t_s * 1000 + 500, market=0, price=median, signed_prices=signed)
        reports.append(report)
    return reports


def _timed_run(config: OracleConfig, reports: list[PriceReport], verifier: Verifier) -> float:
    state = OracleState()
    start = time.perf_counter()
    for report in reports:
        state, events = apply_price_report(0, config, state, report, verifier)
        if isinstance(events[0], Rejected):
            raise AssertionError(f"benchmark report rejected: {events[0]}")
    return time.perf_counter() - start


def run(args: argparse.Namespace) -> int:
    private_keys = sorted(range(7_001, 7_001 + args.signers), key=public_key)
    config = OracleConfig(
        asset_id=ASSET_ID,
        signers=tuple(public_key(k) for k in private_keys),
        quorum=args.signers // 2 + 1,
        max_lag_ms=30_000,
        max_lead_ms=5_000,
        max_price_age_ms=60_000,
        band_ppm=50_000,
        confirm_delay_ms=10_000,
    )
    reports = _reports(args.reports, private_keys, args.seed)
    verifier = VERIFIERS[args.verifier]
    setup_start = time.perf_counter()
    if args.verifier == "fast":
        for key in config.signers:
            precomputed_key(key)
    setup_seconds = time.perf_counter() - setup_start
    runs = [_timed_run(config, reports, verifier) for _ in range(args.repeat)]
    seconds = statistics.median(runs)
    signatures = args.reports * args.signers
    result: dict[str, Any] = {
        "verifier": args.verifier,
        "reports": args.reports,
        "signers": args.signers,
        "signatures": signatures,
        "seconds": round(seconds, 6),
        "signatures_per_sec": round(signatures / seconds, 1),
        "reports_per_sec": round(args.reports / seconds, 1),
        "setup_seconds": round(setup_seconds, 6),
        "runs_seconds": [round(r, 6) for r in runs],
    }
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name:>20}: {value}")
    return 0


def register(benches: Any) -> None:
    parser = benches.add_parser("oracle", help="oracle report verification throughput")
    parser.add_argument("--reports", type=int, default=200, help="price reports to verify")
    parser.add_argument("--signers", type=int, default=10, help="signed prices per report")
    parser.add_argument("--verifier", choices=sorted(VERIFIERS), default="fast")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the median counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)
