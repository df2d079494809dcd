"""The mark price: the oracle price, or Hyperliquid's median of three [HL, hypercore/oracle].

In MEDIAN mode, mark = median(oracle, oracle + EMA(book mid − oracle), book price), where the
book price is median(best bid, best ask, last trade). Missing inputs:

- a missing side counts as −∞ (bid) or +∞ (ask) in the book price, so a one-sided book gives
  max(bid, last) or min(ask, last), and an empty book gives the last trade;
- with no last trade, the book price is the floor midpoint of bid and ask, or absent if a
  side is missing too; an absent book price is replaced by the oracle price (no influence);
- the EMA is updated only when both sides exist (a mid exists); until its first sample the
  basis EMA is 0.

The EMA is integer only. It holds the basis in 1/2^16 ticks and, after a gap of dt ms with
time constant ``ema_period_ms`` (τ), moves toward the new basis by α = dt/(dt + τ), rounded
down in ppm. α is the backward-Euler approximation of the exact 1 − e^(−dt/τ): equal to
first order in dt/τ, always in [0, 1), and independent of any float.
"""

import enum

import msgspec

from isoperp.numeric import PPM

EMA_SCALE = 2**16  # sub-tick resolution of the basis EMA


class MarkMode(enum.Enum):
    ORACLE = "oracle"
    MEDIAN = "median"


class MarkConfig(msgspec.Struct, frozen=True, kw_only=True):
    """How a market computes its mark price; Hyperliquid uses a 150-second EMA."""

    mode: MarkMode = MarkMode.ORACLE
    ema_period_ms: int = 150_000


class MarkState(msgspec.Struct, frozen=True, kw_only=True):
    """The basis EMA (ticks · EMA_SCALE) and when it was last updated (None: never)."""

    ema_basis_scaled: int = 0
    updated_ms: int | None = None


def _median3(a: int, b: int, c: int) -> int:
    return max(min(a, b), min(max(a, b), c))


def book_price(best_bid: int | None, best_ask: int | None, last_trade: int | None) -> int | None:
    """median(bid, ask, last) with a missing side as ∓∞; see the module docstring."""
    if last_trade is None:
        if best_bid is None or best_ask is None:
            return None
        return (best_bid + best_ask) // 2
    if best_bid is None:
        return last_trade if best_ask is None else min(best_ask, last_trade)
    if best_ask is None:
        return max(best_bid, last_trade)
    return _median3(best_bid, best_ask, last_trade)


def update_basis_ema(
    config: MarkConfig,
    state: MarkState,
    oracle_price: int,
    best_bid: int | None,
    best_ask: int | None,
    now_ms: int,
) -> MarkState:
    """Fold the current basis (book mid − oracle) into the EMA; no mid, no change."""
    if best_bid is None or best_ask is None:
        return state
    basis_scaled = ((best_bid + best_ask) * EMA_SCALE) // 2 - oracle_price * EMA_SCALE
    if state.updated_ms is None:
        return MarkState(ema_basis_scaled=basis_scaled, updated_ms=now_ms)
    dt = max(0, now_ms - state.updated_ms)
    alpha_ppm = dt * PPM // (dt + config.ema_period_ms) if dt else 0
    moved = (basis_scaled - state.ema_basis_scaled) * alpha_ppm // PPM
    return MarkState(ema_basis_scaled=state.ema_basis_scaled + moved, updated_ms=now_ms)


def mark_price(
    config: MarkConfig,
    state: MarkState,
    oracle_price: int,
    best_bid: int | None,
    best_ask: int | None,
    last_trade: int | None,
) -> int:
    """The mark price in ticks (at least 1)."""
    if config.mode is MarkMode.ORACLE:
        return oracle_price
    ema_ticks = state.ema_basis_scaled // EMA_SCALE
    book = book_price(best_bid, best_ask, last_trade)
    mark = _median3(oracle_price, oracle_price + ema_ticks, oracle_price if book is None else book)
    return max(1, mark)
