"""The oracle benchmark runs, verifies every report and reports its figures (not timed)."""

import argparse
import json
import statistics

import pytest

from isoperp.cli import bench, bench_oracle, main


@pytest.mark.parametrize("verifier", ["fast", "library"])
def test_bench_prints_its_figures(verifier: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--reports", "3", "--signers", "4", "--verifier", verifier, "--repeat", "3", "--json"]
    assert main(["bench", "oracle", *argv]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["signatures"] == 12 and figures["reports"] == 3
    assert (
        figures["seconds"] == statistics.median(figures["runs_seconds"])
        and len(figures["runs_seconds"]) == 3
    )
    assert figures["signatures_per_sec"] == pytest.approx(12 / figures["seconds"], rel=0.01)
    assert figures["reports_per_sec"] == pytest.approx(3 / figures["seconds"], rel=0.01)


def test_bench_is_registered_under_bench_oracle() -> None:
    parser = argparse.ArgumentParser()
    bench.register(parser.add_subparsers())
    args = parser.parse_args(["bench", "oracle", "--reports", "5", "--signers", "2"])
    assert (args.reports, args.signers, args.run) == (5, 2, bench_oracle.run)
