"""Market specifications: what is traded, in which units, under which margin and fees."""

from isoperp.markets.spec import MarketSpec, MarketStatus, initial_margin_ppm, validate_spec

__all__ = ["MarketSpec", "MarketStatus", "initial_margin_ppm", "validate_spec"]
