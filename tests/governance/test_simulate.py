"""``isoperp gov``: the rehearsal script runner and the listing commands."""

import json

import pytest

from isoperp.cli import main
from isoperp.governance.example import EXAMPLE_SCRIPT
from isoperp.governance.simulate import ScriptError, alias_key, parse_time, run_script


def test_the_documented_example_meets_every_expectation():
    report, state = run_script(EXAMPLE_SCRIPT)
    assert report["expectations_met"]
    assert all(step["met"] for step in report["steps"])
    assert report["final_digest"] == state.digest().hex()
    last = report["steps"][-1]["parameters"]
    assert last["market.BTC-USD.status"] == state.registry.market_spec("BTC-USD").status == "active"
    assert report["steps"][1]["parameters"]["market.BTC-USD.status"] == "paused"


def test_an_unmet_expectation_is_reported():
    script = {
        "steps": [
            {"op": "transfer", "by": "alice", "to": "bob", "amount": 10**12, "expect": "accepted"}
        ]
    }
    report, _ = run_script(script)
    step = report["steps"][0]
    assert (step["outcome"], step["code"], step["met"]) == (
        "rejected",
        "insufficient_balance",
        False,
    )
    assert not report["expectations_met"]


def test_times_and_aliases():
    assert parse_time("+1d1ms", 5) == 5 + 86_400_001
    assert parse_time(9, 5) == 9
    for bad in ("1d", "+1w", 4, "+"):
        with pytest.raises(ScriptError):
            parse_time(bad, 5)
    assert alias_key("alice") == alias_key("alice") != alias_key("bob")
    assert alias_key("0x1234") == "0x1234"


@pytest.mark.parametrize(
    "script",
    [
        {},
        {"steps": [{"op": "fly"}]},
        {"steps": [{"op": "vote", "by": "alice"}]},
        {"genesis": {}, "steps": []},
    ],
)
def test_malformed_scripts_are_script_errors(script):
    with pytest.raises(ScriptError):
        run_script(script)


def test_cli_simulate_params_and_proposals(tmp_path, capsys):
    path = tmp_path / "script.json"
    assert main(["gov", "example"]) == 0
    path.write_text(capsys.readouterr().out)
    assert main(["gov", "simulate", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["expectations_met"] and len(report["steps"]) == len(EXAMPLE_SCRIPT["steps"])
    assert main(["gov", "params", "--prefix", "market.BTC-USD.initial"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["value"], row["bounds"], row["executor"], row["loosen_executor"]) == (
        50_000,
        [1, 1_000_000],
        "short",
        "long",
    )
    assert main(["gov", "params", "--script", str(path), "--prefix", "market.BTC-USD.status"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["value"] == "active"
    assert main(["gov", "proposals", "--script", str(path)]) == 0
    (proposal,) = json.loads(capsys.readouterr().out)
    assert (proposal["state"], proposal["for_votes"]) == ("executed", 500_000_000)
    path.write_text("{not json")
    assert main(["gov", "simulate", str(path)]) == 2


def test_cli_exit_status_reports_an_unmet_expectation(tmp_path, capsys):
    path = tmp_path / "script.json"
    step = {"op": "vote", "by": "alice", "proposal": 1, "support": "for", "expect": "accepted"}
    path.write_text(json.dumps({"steps": [step]}))
    assert main(["gov", "simulate", str(path)]) == 1
    (reported,) = json.loads(capsys.readouterr().out)["steps"]
    assert (reported["code"], reported["met"]) == ("unknown_proposal", False)
