"""``isoperp bench risk``: the liquidation scan over a large book on one core.

A seeded book of ``--positions`` open positions over ``--markets`` markets: two thirds of the
subaccounts isolated (one market), one third cross (two to five markets). Each subaccount's
collateral puts its TV between 1.05 and 4 times its MMR at the opening marks, with some
funding unsettled. Every mark then moves by up to ±``--move-ppm`` and the table is scanned.
``build_seconds`` is the time of the incremental ``update`` calls that load the book;
``seconds`` is the median of ``--repeat`` scans.
"""

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np

from isoperp.funding.index import settled_funding
from isoperp.markets import MarketSpec
from isoperp.numeric import mul_ppm_ceil
from isoperp.risk.scan import PositionEntry, PositionTable, SubKey

Book = list[tuple[SubKey, int, dict[str, PositionEntry]]]


def bench_markets(count: int, rng: np.random.Generator) -> list[tuple[MarketSpec, int, int]]:
    """(spec, opening mark in ticks, funding index now) per market."""
    markets = []
    for i in range(count):
        mmf = int(rng.integers(20_000, 50_001))
        spec = MarketSpec(
            market_id=f"M{i}-USD",
            base_asset=f"M{i}",
            tick_size="0.1",
            step_size="0.001",
            quantums_per_step_tick=100,
            min_order_steps=1,
            initial_margin_ppm=2 * mmf,
            maintenance_margin_ppm=mmf,
            baseline_position_steps=1_000_000,
            incremental_position_steps=100_000,
            incremental_initial_margin_ppm=10_000,
            max_position_steps=10**9,
            open_interest_cap_steps=10**12,
            maker_fee_ppm=0,
            taker_fee_ppm=500,
        )
        markets.append(
            (spec, int(rng.integers(10_000, 1_000_000)), int(rng.integers(-(10**9), 10**9)))
        )
    return markets


def bench_book(
    positions: int, markets: list[tuple[MarketSpec, int, int]], rng: np.random.Generator
) -> Book:
    """Subaccounts until ``positions`` positions exist, each with TV in [1.05, 4]·MMR."""
    book: Book = []
    held = 0
    cross_max = min(5, len(markets))
    while held < positions:
        number = 0 if len(book) % 3 == 0 and cross_max >= 2 else 1
        count = int(rng.integers(2, cross_max + 1)) if number == 0 else 1
        count = min(count, positions - held)
        chosen = rng.choice(len(markets), count, replace=False).tolist()
        sizes = (rng.integers(1, 10_000, count) * rng.choice((-1, 1), count)).tolist()
        lags = rng.integers(0, 10**7, count).tolist()
        entries: dict[str, PositionEntry] = {}
        value = maintenance = 0
        for m, size, lag in zip(chosen, sizes, lags, strict=True):
            spec, price, index = markets[m]
            notional = size * price * spec.quantums_per_step_tick
            value += notional + settled_funding(size, index - lag, index)
            maintenance += mul_ppm_ceil(abs(notional), spec.maintenance_margin_ppm)
            entries[spec.market_id] = (size, index - lag)
        ratio_ppm = int(rng.integers(1_050_000, 4_000_000))
        collateral = mul_ppm_ceil(maintenance, ratio_ppm) - value
        book.append(((len(book), number), collateral, entries))
        held += count
    return book


def run(args: argparse.Namespace) -> int:
    rng = np.random.default_rng(args.seed)
    markets = bench_markets(args.markets, rng)
    book = bench_book(args.positions, markets, rng)
    table = PositionTable(spec for spec, _, _ in markets)
    start = time.perf_counter()
    for key, collateral, entries in book:
        table.update(key, collateral, entries)
    build_seconds = time.perf_counter() - start
    moves = rng.integers(-args.move_ppm, args.move_ppm + 1, len(markets)).tolist()
    prices = {
        spec.market_id: price + price * move // 1_000_000
        for (spec, price, _), move in zip(markets, moves, strict=True)
    }
    indexes = {spec.market_id: index for spec, _, index in markets}
    runs = []
    found: list[SubKey] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        found = table.scan(prices, indexes)
        runs.append(time.perf_counter() - start)
    seconds = statistics.median(runs)
    result: dict[str, Any] = {
        "positions": len(table),
        "subaccounts": len(book),
        "markets": args.markets,
        "seconds": round(seconds, 6),
        "positions_per_sec": round(len(table) / seconds, 1),
        "liquidatable": len(found),
        "candidates": table.last_candidates,
        "build_seconds": round(build_seconds, 6),
        "runs_seconds": [round(r, 6) for r in runs],
    }
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name:>18}: {value}")
    return 0


def register(benches: Any) -> None:
    parser = benches.add_parser("risk", help="liquidation scan over a large book")
    parser.add_argument("--positions", type=int, default=1_000_000, help="open positions")
    parser.add_argument("--markets", type=int, default=10, help="markets they spread over")
    parser.add_argument("--move-ppm", type=int, default=20_000, help="largest mark move")
    parser.add_argument("--repeat", type=int, default=7, help="timed scans; the median counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)
