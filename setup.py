"""Compiles the engine's hot modules with Cython (everything else is in pyproject.toml).

A module with a .pxd beside its .py is compiled in pure-Python mode: the .py stays the
source, the .pxd adds C types. Without a compiled module Python imports the .py itself."""

from pathlib import Path

from Cython.Build import cythonize
from Cython.Compiler import Options
from setuptools import setup

COMPILED = sorted(
    str(pxd.with_suffix(".py"))
    for pxd in Path("src").rglob("*.pxd")
    if pxd.with_suffix(".py").exists()
)
DIRECTIVES = {"language_level": 3, "annotation_typing": False}
# Tracebacks name Python lines only: looking up the C line costs every raised rejection.
Options.c_line_in_traceback = False

setup(ext_modules=cythonize(COMPILED, compiler_directives=DIRECTIVES, quiet=True))
