"""The risk benchmark builds its book, finds exactly the liquidatable subaccounts and reports
its figures (not timed)."""

import argparse
import json
import statistics

import numpy as np
import pytest
from risk_books import brute_force_liquidatable

from isoperp.cli import bench, bench_risk, main
from isoperp.risk.scan import PositionTable


def test_bench_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--positions", "3000", "--markets", "12", "--repeat", "3", "--move-ppm", "60000"]
    assert main(["bench", "risk", *argv, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["positions"] == 3000 and figures["markets"] == 12
    assert figures["seconds"] == statistics.median(figures["runs_seconds"])
    assert figures["positions_per_sec"] == pytest.approx(3000 / figures["seconds"], rel=0.01)
    assert 0 < figures["liquidatable"] <= figures["candidates"]
    assert figures["build_seconds"] > 0


def test_the_bench_book_mixes_isolated_and_cross_and_its_count_is_the_brute_force_one() -> None:
    rng = np.random.default_rng(3)
    markets = bench_risk.bench_markets(10, rng)
    book = bench_risk.bench_book(2000, markets, rng)
    assert sum(len(held) for _, _, held in book) == 2000
    assert {len(held) for (_, number), _, held in book if number == 1} == {1}
    assert max(len(held) for (_, number), _, held in book if number == 0) >= 3
    specs = {spec.market_id: spec for spec, _, _ in markets}
    indexes = {spec.market_id: index for spec, _, index in markets}
    at_open = {spec.market_id: price for spec, price, _ in markets}
    as_dict = {key: (collateral, held) for key, collateral, held in book}
    assert brute_force_liquidatable(as_dict, specs, at_open, indexes) == []  # TV ≥ 1.05·MMR
    moved = {m: p * 9 // 10 if i % 2 else p * 11 // 10 for i, (m, p) in enumerate(at_open.items())}
    table = PositionTable(specs.values())
    for key, collateral, held in book:
        table.update(key, collateral, held)
    expected = brute_force_liquidatable(as_dict, specs, moved, indexes)
    assert expected and table.scan(moved, indexes) == expected


def test_bench_is_registered_under_bench_risk() -> None:
    parser = argparse.ArgumentParser()
    bench.register(parser.add_subparsers())
    args = parser.parse_args(["bench", "risk", "--positions", "50", "--markets", "11"])
    assert (args.positions, args.markets, args.run) == (50, 11, bench_risk.run)
