"""``isoperp bench ...``: benchmarks that print figures (JSON with --json)."""

import argparse
import importlib
from typing import Any

BENCHES: tuple[str, ...] = ("bench_engine", "bench_oracle", "bench_risk", "bench_stark")


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("bench", help="run a benchmark")
    benches = parser.add_subparsers(dest="bench", required=True)
    for name in BENCHES:
        importlib.import_module(f"isoperp.cli.{name}").register(benches)
