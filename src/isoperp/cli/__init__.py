"""The ``isoperp`` command line: each subcommand lives in its own module with ``register``."""

import argparse
import importlib
from collections.abc import Sequence

SUBCOMMANDS: tuple[str, ...] = ("bench", "demo", "gov", "stark")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="isoperp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"isoperp.cli.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result
