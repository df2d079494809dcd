"""Recorded sessions: seeded command streams whose final digest and full event stream were
recorded from the engine before its state moved into the native core (main at 7fb1654,
whose order path was engine/orders.py in Python). Any change to what the engine does, an
event's field or its order, a rounding, a liquidation's path, shows up here as a
different hash.

The streams are the invariant tests' generator (crashes into liquidations, each loss
policy, a snapshot restored midway), the compiled-engine test's session (funding samples
and ticks, GTT expiries, stale prices) and the benchmark's order flow (a book thousands of
orders deep)."""

import hashlib
import random

import msgspec
import pytest

import tests.engine.test_invariants as invariants
from isoperp.cli.bench_engine import _engine_with_flow
from isoperp.events import Event
from isoperp.sim.flow import generate
from tests.engine import test_native

# (loss policy or None for the registry's default, seed) -> (state digest, events' BLAKE2b-128)
EXCHANGE_RUNS = {
    (0, 1): (
        "d4bab550cb1fa5be1988f6d4af0fe5a2628f70400da7bd5aedfe875c7040be7e",
        "0b5df5b8825e5d1c863ab5aec8922f0f",
    ),
    (None, 1): (
        "bdee8f93ea6262ad69c70b2426305927e557c45bf4fb12e128a9b27af78923b9",
        "d37593a6d547b34cc84ed1bcf0b78ae9",
    ),
    (2, 1): (
        "bef6314c3fe9a43dc5771e35311d576d2963c97138fc9e83fab16466239a7f19",
        "5d4f2a042a5d89edd458e9f54bb4d1de",
    ),
    (2, 2): (
        "bf468ef594252d157b096ecf1494cd61adcc08eefbecf524f3f05f9b6b87158e",
        "0fac9c096d5dde6b489b8673e0d19ddf",
    ),
}
SESSION_RUNS = {
    3: (
        "42817371dfe524c472073f04ba9ce1c54d752397a82cc4375e97ffe3bc1f1539",
        "c98fb9843b6d07ad40c1c5d6aebeff89",
    ),
    4: (
        "fe4239c8ad3274f2143a3008757052807a7fbf4e0d4936f3e9669ae0c1c15ba7",
        "9d10d4d6d285eadcc0dc333b8fc3333d",
    ),
}

# The first 30,000 operations of `isoperp bench gen-flow --seed 7` over 100 accounts.
BENCH_FLOW_RUN = (
    "315c37306ad4129be900eb3cc382a7b426a150883079c5a65c1a3aa4dcfb4b3a",
    "b50b617143ed4b46f03e0d0c718c124c",
)


def events_hash(events: list[Event]) -> str:
    return hashlib.blake2b(msgspec.json.encode(events), digest_size=16).hexdigest()


def exchange_run(
    loss_policy: int | None, seed: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[Event]]:
    """Six bursts of 700 generated commands, a snapshot restored after the second."""
    monkeypatch.setattr(invariants, "event", lambda *_: None)  # hypothesis's, outside a test
    machine = type("Recorded", (invariants.Exchange,), {"loss_policy": loss_policy})()
    machine.start()
    events: list[Event] = []
    send = machine.send

    def recording(cmd: invariants.TradingCommand) -> list[Event]:
        out = send(cmd)
        events.extend(out)
        return out

    machine.send = recording  # type: ignore[method-assign]
    rng = random.Random(seed)
    for burst in range(6):
        machine.burst(rng.getrandbits(64), 700)
        if burst == 1:
            machine.snapshot_and_restore()
    return machine.engine.state_digest(), events


@pytest.mark.parametrize(("loss_policy", "seed"), sorted(EXCHANGE_RUNS, key=str))
def test_recorded_liquidation_sessions_replay_exactly(
    loss_policy: int | None, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest, events = exchange_run(loss_policy, seed, monkeypatch)
    kinds = {type(e).__name__ for e in events}
    assert {"Fill", "LiquidationStarted", "OrderTriggered", "Rejected"} <= kinds
    assert ("SocializedLoss" if loss_policy == 2 else "Deleveraged") in kinds
    assert (digest, events_hash(events)) == EXCHANGE_RUNS[(loss_policy, seed)]


@pytest.mark.parametrize("seed", sorted(SESSION_RUNS))
def test_recorded_funding_sessions_replay_exactly(seed: int) -> None:
    events, digest = test_native.run(test_native.session(seed, 3_000))
    assert (digest, events_hash(events)) == SESSION_RUNS[seed]


def test_recorded_benchmark_flow_replays_exactly() -> None:
    engine, commands = _engine_with_flow(list(generate(30_000, seed=7)), accounts=100)
    events = [event for cmd in commands for event in engine.apply(cmd).events]
    assert (engine.state_digest(), events_hash(events)) == BENCH_FLOW_RUN
