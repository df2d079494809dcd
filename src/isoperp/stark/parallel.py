"""Two-way fork parallelism with shared-memory outputs (Linux; serial elsewhere).

Work is split into contiguous parts; a forked child computes one part while this process
computes the other, both writing into arrays from ``shared_empty`` (anonymous shared
mappings), so nothing is pickled.  The child only writes its own slice and exits with
``os._exit``.  ``ISOPERP_STARK_WORKERS=1`` forces serial execution.
"""

from __future__ import annotations

import ctypes
import mmap
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

MIN_PARALLEL_ITEMS = 2


_forced: int | None = None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def workers() -> int:
    if not hasattr(os, "fork"):
        return 1
    if _forced is not None:
        return _forced
    env = os.environ.get("ISOPERP_STARK_WORKERS")
    if env is not None:
        return max(1, min(2, int(env)))
    return 2 if _cpus() >= 2 else 1


@contextmanager
def workers_for_this_run() -> Iterator[int]:
    """Decide once, at the start of a proof, whether a second process pays: not when the
    machine is already saturated by others (1-minute load average >= CPU count), where a
    fork only adds overhead (measured: a 2^14 Poseidon2 chain at load 3 on 2 CPUs proved in
    5.6 s serially and 5.9-6.8 s with two processes).  ``ISOPERP_STARK_WORKERS`` overrides."""
    global _forced
    previous = _forced
    chosen = workers()
    if chosen > 1 and "ISOPERP_STARK_WORKERS" not in os.environ:
        try:
            if os.getloadavg()[0] >= _cpus():
                chosen = 1
        except OSError:  # pragma: no cover - no load average available
            pass
    _forced = chosen
    try:
        yield chosen
    finally:
        _forced = previous


def shared_empty(shape: tuple[int, ...], dtype: Any) -> npt.NDArray[Any]:
    """An array in an anonymous shared mapping: writes by a forked child are visible here."""
    dt = np.dtype(dtype)
    nbytes = max(1, int(np.prod(shape)) * dt.itemsize)
    buf = mmap.mmap(-1, nbytes)
    return np.frombuffer(buf, dtype=dt, count=int(np.prod(shape))).reshape(shape)


def split_run(fn: Callable[[int, int], None], n: int, *, parallel: bool = True) -> None:
    """Run ``fn(lo, hi)`` over [0, n): the first half in a forked child, the second here."""
    if not parallel or n < MIN_PARALLEL_ITEMS or workers() < 2:
        fn(0, n)
        return
    half = n // 2
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            fn(0, half)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    try:
        fn(half, n)
    finally:
        _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError("parallel worker failed")


# ---------------------------------------------------------------- BLAS threads

_SET_NAMES = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads",
)
_GET_NAMES = (
    "scipy_openblas_get_num_threads64_",
    "scipy_openblas_get_num_threads",
    "openblas_get_num_threads",
)


def _openblas() -> tuple[Any, Any] | None:
    """(set, get) of the OpenBLAS numpy loaded, found through /proc/self/maps; or None."""
    try:
        with open("/proc/self/maps") as fh:
            paths = {ln.split()[-1] for ln in fh if "openblas" in ln and "/" in ln}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(lib, n) for n in _SET_NAMES if hasattr(lib, n)), None)
        getter = next((getattr(lib, n) for n in _GET_NAMES if hasattr(lib, n)), None)
        if setter is not None and getter is not None:
            setter.argtypes = [ctypes.c_int]
            getter.restype = ctypes.c_int
            return setter, getter
    return None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Our own processes do the parallel work; BLAS threads on top would oversubscribe the
    cores (and are not fork-safe).  Restores the previous setting on exit."""
    lib = _openblas()
    if lib is None:
        yield
        return
    setter, getter = lib
    previous = int(getter())
    setter(1)
    try:
        yield
    finally:
        setter(previous)
