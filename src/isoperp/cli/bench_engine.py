"""``isoperp bench engine|gen-flow|memory``: order-flow throughput and memory per order."""

import argparse
import gc
import hashlib
import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import msgspec

from isoperp.book import CountingTaker, OrderBook, new_order
from isoperp.commands import Command
from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import (
    CancelOrder,
    Deposit,
    OrderKind,
    PlaceOrder,
    Side,
    TimeInForce,
)
from isoperp.engine import Engine, core
from isoperp.engine.genesis import DEV_ORACLE_SECRET
from isoperp.engine.prices import asset_id
from isoperp.events.trading import Fill
from isoperp.markets.examples import BTC_USD
from isoperp.oracle import sign_price
from isoperp.sim import flow

# The example BTC market, with room for the open interest a long replay builds up.
BENCH_MARKET = msgspec.structs.replace(BTC_USD, open_interest_cap_steps=10**12)


def register(benches: Any) -> None:
    gen = benches.add_parser("gen-flow", help="write a seeded order-flow file")
    gen.add_argument("--ops", type=int, default=200_000)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--out", type=Path, required=True)
    gen.set_defaults(run=run_gen_flow)

    engine = benches.add_parser("engine", help="replay an order-flow file through the engine")
    engine.add_argument("--flow", type=Path, required=True)
    engine.add_argument("--book-only", action="store_true", help="the bare book, no accounts")
    engine.add_argument("--accounts", type=int, default=100)
    engine.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    engine.add_argument("--json", action="store_true")
    engine.set_defaults(run=run_engine)

    memory = benches.add_parser("memory", help="bytes per resting order")
    memory.add_argument("--orders", type=int, default=100_000)
    memory.add_argument("--json", action="store_true")
    memory.set_defaults(run=run_memory)


def run_gen_flow(args: argparse.Namespace) -> int:
    count = flow.write(args.out, flow.generate(args.ops, args.seed))
    print(f"wrote {count} operations to {args.out}")
    return 0


class _Owner:
    __slots__ = ("owner",)

    def __init__(self, owner: int) -> None:
        self.owner = owner


def _replay_book(ops: list[flow.FlowOp], accounts: int) -> tuple[float, int | None, str]:
    """The bare book: every fill executes in full; returns (seconds, trades, digest). Its
    taker counts the fills in C, at no cost worth timing apart."""
    book = OrderBook()
    owners = [_Owner(i) for i in range(accounts)]
    taker = CountingTaker()  # executes every fill in full
    start = time.perf_counter()
    for op in ops:
        if op.op == "cancel":
            order = book.orders.get(op.id)
            if order is not None:
                book.remove(order)
            continue
        assert op.price is not None and op.qty is not None
        is_buy = op.side == "buy"
        account = owners[op.id % accounts]
        left = book.match(is_buy, op.price, op.qty, account.owner, taker)
        if left and op.op == "limit":
            book.rest(new_order(op.id, account, "BTC-USD", op.id, is_buy, op.price, left))
    seconds = time.perf_counter() - start
    resting = sorted((o.order_id, o.remaining) for o in book.orders.values())
    digest = hashlib.blake2b(repr(resting).encode(), digest_size=32).hexdigest()
    return seconds, taker.fills, digest


def _bench_engine(accounts: int) -> Engine:
    """An engine with ``accounts`` funded owners: even ones trade cross, odd ones isolated."""
    engine = Engine([(BENCH_MARKET, 50_000)], max_open_orders=10_000)  # the registry bound
    engine.replay(
        Deposit(ts=0, owner=owner, subaccount=owner % 2, amount=10**15) for owner in range(accounts)
    )
    return engine


REPORT_EVERY_MS = 10_000  # oracle reports, so prices never go stale during a replay


def _flow_commands(ops: list[flow.FlowOp], accounts: int) -> list[Command]:
    """Orders spread round-robin over the accounts, one millisecond apart (client id = flow
    id), with a signed oracle report every ten seconds of flow time."""
    commands: list[Command] = []
    for ts, op in enumerate(ops, 1):
        if ts % REPORT_EVERY_MS == 0:
            signed = sign_price(DEV_ORACLE_SECRET, asset_id("BTC-USD"), 50_000, ts // 1000)
            commands.append(
                PriceReport(ts=ts, market="BTC-USD", price=50_000, signed_prices=(signed,))
            )
        owner = op.id % accounts
        if op.op == "cancel":
            commands.append(CancelOrder(ts=ts, owner=owner, subaccount=owner % 2, client_id=op.id))
            continue
        assert op.price is not None and op.qty is not None
        market = op.op == "market"
        commands.append(
            PlaceOrder(
                ts=ts,
                owner=owner,
                subaccount=owner % 2,
                market="BTC-USD",
                client_id=op.id,
                side=Side(op.side),
                price=op.price,
                size=op.qty,
                kind=OrderKind.MARKET if market else OrderKind.LIMIT,
                tif=TimeInForce.IOC if market else TimeInForce.GTC,
            )
        )
    return commands


def _replay_engine(ops: list[flow.FlowOp], accounts: int) -> tuple[float, int | None, str]:
    """Times ``Engine.apply`` alone: the timed loop reads no events (a Python loop over them
    cost about 1,400 instructions per operation, a tenth of the engine's own work). Trades
    are counted by ``_count_engine_trades``, untimed."""
    engine, commands = _engine_with_flow(ops, accounts)
    apply = engine.apply
    start = time.perf_counter()
    for cmd in commands:
        apply(cmd)
    seconds = time.perf_counter() - start
    return seconds, None, engine.state_digest()


def _count_engine_trades(ops: list[flow.FlowOp], accounts: int) -> tuple[int, str]:
    """One more replay of the flow, untimed, counting the Fill events: (trades, digest)."""
    engine, commands = _engine_with_flow(ops, accounts)
    trades = sum(type(event) is Fill for cmd in commands for event in engine.apply(cmd).events)
    return trades, engine.state_digest()


def _engine_with_flow(ops: list[flow.FlowOp], accounts: int) -> tuple[Engine, list[Command]]:
    return _bench_engine(accounts), _flow_commands(ops, accounts)


def run_engine(args: argparse.Namespace) -> int:
    try:
        ops = flow.read(args.flow)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}")
        return 2
    replay = _replay_book if args.book_only else _replay_engine
    runs = [replay(ops, args.accounts) for _ in range(max(1, args.repeat))]
    seconds = sorted(r[0] for r in runs)[len(runs) // 2]
    digests = {r[2] for r in runs}
    trades = runs[0][1]
    if trades is None:
        trades, digest = _count_engine_trades(ops, args.accounts)
        digests.add(digest)
    if len(digests) != 1:
        raise AssertionError("replays of one flow disagree: the engine is not deterministic")
    (digest,) = digests
    result = {
        "mode": "book-only" if args.book_only else "engine",
        "ops": len(ops),
        "seconds": round(seconds, 4),
        "ops_per_sec": round(len(ops) / seconds),
        "trades": trades,
        "digest": digest,
        "runs_seconds": [round(r[0], 4) for r in runs],
        "compiled": not core.__file__.endswith(".py"),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['mode']}: {len(ops)} ops in {seconds:.3f} s (median of {len(runs)}) = "
            f"{result['ops_per_sec']:,} ops/s, {trades} trades, digest {digest[:16]}…"
        )
    return 0


def run_memory(args: argparse.Namespace) -> int:
    """Bytes per resting order for the bare book and the engine: Python objects as
    tracemalloc sees them, plus, for the engine, its native core's C allocations (which
    tracemalloc does not see), counted at their capacity."""
    n = args.orders
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    book = OrderBook()
    owner = _Owner(1)
    for i in range(n):
        book.rest(new_order(i, owner, "BTC-USD", i, i % 2 == 0, 40_000 + i % 5_000, 5))
    book_bytes = tracemalloc.get_traced_memory()[0] - base
    del book
    gc.collect()  # a level's orders link to each other: the collector frees them, not del
    engine = _bench_engine(100)
    base = tracemalloc.get_traced_memory()[0] + engine.core.allocated_bytes()
    for i in range(n):
        owner_id = i % 100
        engine.apply(
            PlaceOrder(
                ts=1,
                owner=owner_id,
                subaccount=owner_id % 2,
                market="BTC-USD",
                client_id=i,
                side=Side.BUY,
                price=40_000 + i % 5_000,
                size=5,
            )
        )
    engine_bytes = tracemalloc.get_traced_memory()[0] + engine.core.allocated_bytes() - base
    tracemalloc.stop()
    result = {
        "orders": n,
        "book_bytes_per_order": round(book_bytes / n, 1),
        "engine_bytes_per_order": round(engine_bytes / n, 1),
    }
    print(json.dumps(result) if args.json else result)
    return 0
