"""isoperp: an isolated-margin perpetual-futures exchange on a STARK-proven rollup."""

__version__ = "0.1.0"
