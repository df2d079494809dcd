import os

import numpy as np
import pytest

from isoperp.stark import parallel


def test_split_run_fills_both_halves_through_shared_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ISOPERP_STARK_WORKERS", "2")
    out = parallel.shared_empty((1000,), np.int64)
    pids = parallel.shared_empty((2,), np.int64)

    def work(lo: int, hi: int) -> None:
        out[lo:hi] = np.arange(lo, hi) * 3
        pids[0 if lo == 0 else 1] = os.getpid()

    parallel.split_run(work, 1000)
    assert np.array_equal(out, np.arange(1000) * 3)
    if hasattr(os, "fork"):
        assert pids[0] != pids[1] and pids[1] == os.getpid()  # the first half ran elsewhere


def test_worker_failure_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISOPERP_STARK_WORKERS", "2")

    def work(lo: int, hi: int) -> None:
        if lo == 0:
            raise RuntimeError("boom")

    if hasattr(os, "fork"):
        with pytest.raises(RuntimeError, match="worker failed"):
            parallel.split_run(work, 10)


def test_second_process_only_when_the_machine_is_not_saturated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ISOPERP_STARK_WORKERS", raising=False)
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    with parallel.workers_for_this_run() as n:
        assert n == (2 if hasattr(os, "fork") else 1) and parallel.workers() == n
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    with parallel.workers_for_this_run() as n:
        assert n == 1 and parallel.workers() == 1
    monkeypatch.setenv("ISOPERP_STARK_WORKERS", "2")  # an explicit choice wins
    with parallel.workers_for_this_run() as n:
        assert n == (2 if hasattr(os, "fork") else 1)


def test_two_processes_give_the_same_proof_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from isoperp.stark.airs import poseidon2_chain
    from isoperp.stark.proof import encode
    from isoperp.stark.prover import Profile, prove

    air, trace = poseidon2_chain.build(256)  # large enough for the split paths
    proofs = []
    for w in ("1", "2"):
        monkeypatch.setenv("ISOPERP_STARK_WORKERS", w)
        prof = Profile()
        proofs.append(encode(prove(air, trace, profile=prof)))
        assert prof.workers == (int(w) if hasattr(os, "fork") else 1)
    assert proofs[0] == proofs[1]
