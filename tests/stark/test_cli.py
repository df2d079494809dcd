import json
from pathlib import Path

import pytest

from isoperp.cli import main


def test_prove_then_verify_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fib.proof"
    assert main(["stark", "prove", "--air", "fibsq", "--steps", "100", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data[:4] == b"ISPK"
    assert main(["stark", "verify", str(out)]) == 0
    assert "accepted" in capsys.readouterr().out
    out.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert main(["stark", "verify", str(out)]) == 1
    out.write_bytes(b"not a proof")
    assert main(["stark", "verify", str(out)]) == 1
    assert main(["stark", "verify", str(tmp_path / "missing")]) == 2
    # a proof below the verifier's floor is refused
    weak = tmp_path / "weak.proof"
    args = ["stark", "prove", "--air", "fibsq", "--steps", "100", "--bits", "40"]
    assert main([*args, "--out", str(weak)]) == 0
    assert main(["stark", "verify", str(weak)]) == 1
    assert main(["stark", "verify", str(weak), "--min-bits", "40"]) == 0


def test_bench_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bench", "stark", "--air", "poseidon2-chain", "--steps", "16", "--json"]
    assert main([*args, "--verify-runs", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("prove_s", "verify_s", "proof_bytes", "conjectured_bits", "proven_bits",
                "peak_rss_mb"):  # fmt: skip
        assert key in result
    assert result["verified"] is True and result["conjectured_bits"] >= 100
    assert result["trace_width"] == 141 and result["trace_length"] == 16


def test_bench_reports_errors(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bench", "stark", "--air", "poseidon2-chain", "--steps", "16", "--blowup", "4"]
    assert main(args) == 2  # degree 7 needs 6 quotient chunks: blowup 8
    assert "blowup too small" in capsys.readouterr().err
