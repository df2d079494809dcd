"""`make run` runs the demo: it must show the isolated subaccount liquidated alone."""

from isoperp.cli import main


def test_demo_liquidates_the_isolated_subaccount_and_not_the_cross_one(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "LIQUIDATION of (trader, 1)" in out
    assert "LIQUIDATION of (trader, 0)" not in out
    assert "insurance fund BTC-USD +" in out
    assert "funding ETH-USD: 8-hour rate" in out
    final = out.rsplit("minute 70", 1)[1]
    assert "trader cross (0)" in final and "healthy" in final.split("trader cross (0)")[1]
