"""The compiled engine: every module with a .pxd runs compiled, current and uninstrumented,
it agrees with its plain-Python source on a mixed session, and the quiet-time shortcut in
``advance`` changes nothing."""

import hashlib
import importlib
import random
import shutil
import subprocess
import sys
from collections import Counter
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import msgspec

from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import CancelOrder, Deposit, OrderKind, PlaceOrder, TimeInForce
from isoperp.engine import Engine
from isoperp.events import Event
from tests.conftest import BTC, BTC_PRICE, ETH, ETH_PRICE
from tests.engine.helpers import USDC, order, report

SRC = Path(__file__).resolve().parents[2] / "src"
COMPILED = sorted(
    pxd.with_suffix(".py") for pxd in SRC.rglob("*.pxd") if pxd.with_suffix(".py").exists()
)
SessionCommand = PlaceOrder | CancelOrder | Deposit | PriceReport
CODEC = msgspec.json.Encoder(), msgspec.json.Decoder(list[SessionCommand])


def session(seed: int, length: int) -> list[SessionCommand]:
    """Seeded trading on two markets: cross and isolated subaccounts, GTC, GTT, IOC,
    post-only, market and reduce-only orders, cancels, price moves, and gaps long enough
    for funding samples and ticks, GTT expiries and stale prices."""
    rng = random.Random(seed)
    marks = {"BTC-USD": BTC_PRICE, "ETH-USD": ETH_PRICE}
    commands: list[SessionCommand] = [
        Deposit(ts=1, owner=owner, subaccount=0, amount=1_000_000 * USDC) for owner in range(8)
    ]
    ts, cid = 1_000, 0
    placed: list[tuple[int, int, int]] = []  # (owner, subaccount, client id)
    for _ in range(length):
        ts += rng.choices([1, 7, 300, 4_000, 70_000], weights=[30, 30, 20, 15, 5])[0]
        sub = rng.choice([0, 0, 1, 2])  # isolated 1 trades BTC, isolated 2 ETH
        market = rng.choice(sorted(marks)) if sub == 0 else ("BTC-USD", "ETH-USD")[sub - 1]
        roll = rng.random()
        if roll < 0.1:
            marks[market] = marks[market] * rng.randint(985, 1015) // 1000
            commands.append(report(market, marks[market], ts))
            continue
        if roll < 0.3 and placed:
            owner, number, client_id = rng.choice(placed)
            commands.append(CancelOrder(ts=ts, owner=owner, subaccount=number, client_id=client_id))
            continue
        cid += 1
        owner = rng.randrange(8)
        placed.append((owner, sub, cid))
        price = marks[market] * rng.randint(995, 1005) // 1000
        extra: dict[str, object] = {}
        tif = rng.choice([TimeInForce.GTC, TimeInForce.GTT, TimeInForce.IOC, TimeInForce.POST_ONLY])
        if tif is TimeInForce.GTT:
            extra["expires_at"] = ts + rng.choice([50, 20_000])
        if rng.random() < 0.1:
            tif, extra = TimeInForce.IOC, {"kind": OrderKind.MARKET}
        if sub and rng.random() < 0.5:
            extra.update(isolated_margin=rng.randint(500, 5_000) * USDC, margin_source=0)
        if rng.random() < 0.05:
            extra["reduce_only"] = True
        commands.append(
            order(
                owner,
                rng.choice(["buy", "sell"]),
                price,
                rng.randint(1, 40),
                cid=cid,
                sub=sub,
                market=market,
                ts=ts,
                tif=tif,
                **extra,
            )
        )
    return commands


def run(commands: list[SessionCommand], quiet_shortcut: bool = True) -> tuple[list[Event], str]:
    eng = Engine([(BTC, BTC_PRICE), (ETH, ETH_PRICE)])
    events: list[Event] = []
    for cmd in commands:
        if not quiet_shortcut:
            eng.time_effects_changed()  # every command takes the full look at time
        events += eng.apply(cmd).events
    return events, eng.state_digest()


def test_every_module_with_a_pxd_runs_compiled_current_and_uninstrumented() -> None:
    """Uninstrumented: the profile-guided build (setup.py --pgo) left no module built for its
    training run, which would count branches (slower) and write profiles at exit."""
    assert len(COMPILED) >= 10
    for source in COMPILED:
        name = ".".join(source.relative_to(SRC).with_suffix("").parts)
        built = Path(importlib.import_module(name).__file__ or "")
        assert built.name.endswith(tuple(EXTENSION_SUFFIXES)), f"{name} is not compiled"
        newest = max(source.stat().st_mtime, source.with_suffix(".pxd").stat().st_mtime)
        assert built.stat().st_mtime >= newest, f"{name} is older than its source"
        assert b"__gcov_" not in built.read_bytes(), f"{name} is still instrumented"


def test_quiet_time_shortcut_changes_nothing() -> None:
    commands = session(seed=5, length=3_000)
    shortcut, digest = run(commands)
    full, full_digest = run(commands, quiet_shortcut=False)
    assert digest == full_digest
    assert msgspec.json.encode(shortcut) == msgspec.json.encode(full)
    seen = Counter(type(e).__name__ for e in shortcut)
    reasons = Counter(e.reason for e in shortcut if type(e).__name__ == "OrderCanceled")
    # time effects the shortcut must not skip did happen in the session
    assert seen["FundingSampled"] > 10 and seen["FundingRateUpdated"] > 0
    assert seen["OracleStale"] > 0 and reasons["expired"] > 10 and seen["Fill"] > 100


def test_compiled_engine_agrees_with_its_python_source(tmp_path: Path) -> None:
    """The same session through a copy of the sources with no compiled module but the
    native core (which has no plain-Python source) and the two it takes C functions from."""
    commands = session(seed=11, length=2_500)
    events, digest = run(commands)

    def plain(folder: str, names: list[str]) -> set[str]:
        kept = ("native_core.cpython", "applied.cpython", "bounds.cpython")
        return {n for n in names if n.endswith((".so", ".c")) and not n.startswith(kept)}

    shutil.copytree(SRC / "isoperp", tmp_path / "isoperp", ignore=plain)
    log = tmp_path / "session.json"
    log.write_bytes(CODEC[0].encode(commands))
    script = f"""
import hashlib, msgspec, sys
import isoperp.engine.core
assert isoperp.engine.core.__file__.endswith(".py")
sys.path.insert(0, {str(SRC.parent)!r})
from tests.engine.test_native import CODEC, run
events, digest = run(CODEC[1].decode(open({str(log)!r}, "rb").read()))
print(digest, hashlib.blake2b(msgspec.json.encode(events)).hexdigest())
"""
    plain = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    expected = f"{digest} {hashlib.blake2b(msgspec.json.encode(events)).hexdigest()}"
    assert plain.stdout.strip() == expected
    assert sum(type(e).__name__ == "Fill" for e in events) > 100
