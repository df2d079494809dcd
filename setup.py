"""Compiles the engine's hot modules with Cython; each .py stays the source and runs as
plain Python where no compiled module is present. Everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import setup

COMPILED = [
    "src/isoperp/numeric/rounding.py",
    "src/isoperp/numeric/bounds.py",
    "src/isoperp/markets/spec.py",
    "src/isoperp/funding/index.py",
    "src/isoperp/book/order.py",
    "src/isoperp/book/book.py",
    "src/isoperp/accounts/subaccount.py",
    "src/isoperp/accounts/margin.py",
    "src/isoperp/engine/market.py",
    "src/isoperp/engine/orders.py",
    "src/isoperp/engine/core.py",
    "src/isoperp/engine/funding_flow.py",
]

setup(ext_modules=cythonize(COMPILED, compiler_directives={"language_level": 3, "annotation_typing": False}, quiet=True))
