"""``isoperp gov ...``: rehearse governance scripts and list parameters and proposals (JSON).

isoperp gov simulate SCRIPT      play a script; exit 1 if a step's "expect" was not met
isoperp gov params [--script S] [--prefix P]   values with type, bounds and executors
isoperp gov proposals --script S               proposals and their states after S
isoperp gov example              print the documented example script
"""

import argparse
import json
import sys
from typing import Any

import msgspec

from isoperp.commands.governance import AnyGovernanceCommand
from isoperp.engine import Engine
from isoperp.events import Event
from isoperp.governance import SCHEMA, GenesisConfig, GenesisError, GovernanceState
from isoperp.governance.example import EXAMPLE_SCRIPT
from isoperp.governance.schema import parse_name
from isoperp.governance.simulate import ScriptError, build_genesis, run_script


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        script: dict[str, Any] = json.load(handle)
    return script


class ExchangeTarget:
    """A fresh exchange (the whole engine) built from a script's genesis: governance steps
    go through ``Engine.apply``, so the trading side reacts to them as it would live."""

    def __init__(self, config: GenesisConfig) -> None:
        try:
            self.engine = Engine([], genesis_config=config)
        except GenesisError as exc:
            raise ScriptError(f"genesis: {exc}") from exc

    @property
    def gov(self) -> GovernanceState:
        return self.engine.gov

    def run(self, cmd: AnyGovernanceCommand) -> list[Event]:
        return self.engine.apply(cmd).events


def _state(script_path: str | None) -> GovernanceState:
    if script_path is None:
        return build_genesis("default")
    return run_script(_load(script_path), ExchangeTarget)[1]


def _simulate(args: argparse.Namespace) -> int:
    report, _ = run_script(_load(args.script), ExchangeTarget)
    _print(report)
    return 0 if report["expectations_met"] else 1


def _params(args: argparse.Namespace) -> int:
    state = _state(args.script)
    rows = []
    for name, value in sorted(state.registry.values.items()):
        if not name.startswith(args.prefix):
            continue
        parsed = parse_name(name)
        assert parsed is not None
        spec = parsed[1]
        step = spec.committee_step
        rows.append(
            {
                "name": name,
                "value": msgspec.to_builtins(value),
                "kind": spec.kind.value,
                "bounds": [spec.low, spec.high] if spec.kind in ("int", "keyset") else None,
                "executor": spec.executor or "fixed",
                "loosen_executor": spec.loosen_executor or spec.executor or "fixed",
                "tightens": spec.tightens.value,
                "committee_step": None if step is None else msgspec.to_builtins(step.__dict__),
            }
        )
    _print(rows)
    return 0


def _proposals(args: argparse.Namespace) -> int:
    state = _state(args.script)
    _print(
        [
            {
                "state": state.state_of(p).value,
                **msgspec.to_builtins(p),
            }
            for p in state.proposals
        ]
    )
    return 0


def _example(args: argparse.Namespace) -> int:
    _print(EXAMPLE_SCRIPT)
    return 0


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            result: int = handler(args)
        except (ScriptError, OSError, json.JSONDecodeError) as exc:
            print(f"isoperp gov: {exc}", file=sys.stderr)
            return 2
        return result

    return run


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "gov", help="governance: rehearse proposals, list parameters and proposals"
    )
    sub = parser.add_subparsers(dest="gov", required=True)
    simulate = sub.add_parser("simulate", help="play a governance script against genesis")
    simulate.add_argument("script", help="path of a JSON script (see docs/governance.md)")
    simulate.set_defaults(run=_guarded(_simulate))
    params = sub.add_parser("params", help="parameters with bounds and executors")
    params.add_argument("--script", help="list the values after this script (default: genesis)")
    params.add_argument(
        "--prefix", default="", help=f"only names starting so; families {list(SCHEMA)}"
    )
    params.set_defaults(run=_guarded(_params))
    proposals = sub.add_parser("proposals", help="proposals and their states after a script")
    proposals.add_argument("--script", required=True, help="path of a JSON script")
    proposals.set_defaults(run=_guarded(_proposals))
    example = sub.add_parser("example", help="print the documented example script")
    example.set_defaults(run=_guarded(_example))
