"""The engine benchmark replays a generated flow deterministically and reports its figures."""

import json

from isoperp.cli import main


def test_gen_flow_and_both_replays_agree_on_trades(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    flow = tmp_path / "flow.jsonl"
    assert main(["bench", "gen-flow", "--ops", "3000", "--seed", "3", "--out", str(flow)]) == 0
    lines = flow.read_text().splitlines()
    assert len(lines) == 3000
    ops = [json.loads(line)["op"] for line in lines]
    assert 0.5 < ops.count("limit") / len(ops) < 0.7  # ~60% resting limits near the mid
    capsys.readouterr()
    results = {}
    for mode in ([], ["--book-only"]):
        argv = ["bench", "engine", "--flow", str(flow), "--repeat", "2", "--json", *mode]
        assert main(argv) == 0
        results[bool(mode)] = json.loads(capsys.readouterr().out)
    engine, book = results[False], results[True]
    assert engine["ops"] == book["ops"] == 3000
    assert engine["trades"] > 0 and book["trades"] > 0
    assert engine["ops_per_sec"] > 0 and len(engine["digest"]) == 64
    assert engine["compiled"] is True  # make test builds the compiled engine first
    # Funded accounts with ample margin: the engine trades exactly what the bare book does.
    assert engine["trades"] == book["trades"]


def test_a_replay_carries_oracle_reports_so_prices_never_go_stale() -> None:
    from isoperp.cli.bench_engine import _flow_commands
    from isoperp.commands.oracle import PriceReport
    from isoperp.sim.flow import generate

    commands = _flow_commands(list(generate(25_000, seed=1)), accounts=10)
    reports = [c.ts for c in commands if isinstance(c, PriceReport)]
    assert reports == [10_000, 20_000]  # the oracle's maximum age is 120 s


def test_a_malformed_flow_is_reported_not_raised(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    flow = tmp_path / "bad.jsonl"
    flow.write_text('{"op": "limit", "id": 1, "side": "buy", "price": 10}\n')
    assert main(["bench", "engine", "--flow", str(flow)]) == 2
    assert "needs side, price and qty" in capsys.readouterr().out
