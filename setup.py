"""Compiles the engine's hot modules with Cython (everything else is in pyproject.toml).

A module with a .pxd beside its .py is compiled in pure-Python mode: the .py stays the
source, the .pxd adds C types. Without a compiled module Python imports the .py itself.
The engine's native core (engine/native_core.pyx) is Cython only: the engine needs it built.

``build_ext --pgo`` (what ``make native`` runs) optimises from a profile when the C compiler
is GCC: the modules that changed are built instrumented, a training run replays a seeded
order flow and the demo through them, and they are rebuilt from the counts it left
(docs/engine-performance.md, "The profile-guided build"). Without ``--pgo`` (pip's own build,
or another compiler) the modules are built plainly."""

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import ClassVar

from Cython.Build import cythonize
from Cython.Compiler import Options
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

COMPILED = sorted(
    str(pxd.with_suffix(".py"))
    for pxd in Path("src").rglob("*.pxd")
    if pxd.with_suffix(".py").exists()
) + sorted(str(pyx) for pyx in Path("src").rglob("*.pyx"))  # C only: no plain-Python twin
DIRECTIVES = {"language_level": 3, "annotation_typing": False}
# Tracebacks name Python lines only: looking up the C line costs every raised rejection.
Options.c_line_in_traceback = False

PROFILE_DIR = Path("build/pgo").resolve()
# -fprofile-partial-training: code the training run never reached stays optimised for
# speed, not for size. The warning flag silences one false alarm in Cython's argument
# parsing that GCC raises only once the profile changes its inlining.
GENERATE = [f"-fprofile-generate={PROFILE_DIR}"]
USE = [
    f"-fprofile-use={PROFILE_DIR}",
    "-fprofile-partial-training",
    "-Wno-maybe-uninitialized",
]
TRAINING_OPS = 60_000
TRAINING_SEED = 1  # not the benchmark's seed (7): the profile must not fit one flow


def _compiler_is_gcc() -> bool:
    """-fprofile-generate/-use as used here are GCC's (clang's profiles work otherwise)."""
    cc = shlex.split(sysconfig.get_config_var("CC") or "cc")[0]
    try:
        version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    except OSError:
        return False
    return "Free Software Foundation" in version


def _train(workdir: Path) -> None:
    """The training run: the engine as the benchmark drives it (a seeded order flow through
    the full engine and through the bare book) and the demo (both markets, isolated and
    cross, price moves, funding, a liquidation). PYTHONHASHSEED fixes the counts."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    flow = str(workdir / "training-flow.jsonl")

    def isoperp(*args: str) -> None:
        command = [sys.executable, "-m", "isoperp", *args]
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)

    isoperp(
        "bench", "gen-flow", "--ops", str(TRAINING_OPS), "--seed", str(TRAINING_SEED), "--out", flow
    )
    isoperp("bench", "engine", "--flow", flow, "--repeat", "1")
    isoperp("bench", "engine", "--flow", flow, "--repeat", "1", "--book-only")
    isoperp("demo")


class BuildExt(build_ext):
    user_options: ClassVar[list[tuple[str, str | None, str]]] = [
        *build_ext.user_options,
        ("pgo", None, "optimise the changed modules from a training run's profile (GCC)"),
    ]
    boolean_options: ClassVar[list[str]] = [*build_ext.boolean_options, "pgo"]

    def initialize_options(self) -> None:
        super().initialize_options()
        self.pgo = False

    def run(self) -> None:
        stale = [ext for ext in self.extensions if self._stale(ext)]
        if not (self.pgo and stale):
            super().run()
            return
        if not _compiler_is_gcc():
            print("setup.py: the C compiler is not GCC; built without a profile", file=sys.stderr)
            super().run()
            return
        print(f"setup.py: profile-guided build of {len(stale)} module(s)", file=sys.stderr)
        everything, forced = self.extensions, self.force
        self.extensions, self.force = stale, True
        try:
            shutil.rmtree(PROFILE_DIR, ignore_errors=True)
            self._build_with(GENERATE)
            try:
                _train(Path(self.build_temp))
            except subprocess.CalledProcessError as exc:
                # Never leave instrumented modules behind: build them plainly and say so.
                print(
                    f"setup.py: PGO training failed ({exc}); built without a profile",
                    file=sys.stderr,
                )
                self._build_with([])
                return
            self._build_with(USE)
        finally:
            self.extensions, self.force = everything, forced

    def _stale(self, ext: Extension) -> bool:
        """As setuptools judges it: a source or dependency newer than the built module."""
        target = Path(self.get_ext_fullpath(ext.name))
        if self.force or not target.exists():
            return True
        built = target.stat().st_mtime
        return any(Path(f).stat().st_mtime > built for f in [*ext.sources, *ext.depends])

    def _build_with(self, flags: list[str]) -> None:
        for ext in self.extensions:
            ext.extra_compile_args = flags
            ext.extra_link_args = flags
        compiler = self.compiler
        super().run()
        self.compiler = compiler  # run() replaced the name given with a compiler object


setup(
    ext_modules=cythonize(COMPILED, compiler_directives=DIRECTIVES, quiet=True),
    cmdclass={"build_ext": BuildExt},
)
