"""Per-market funding state: the cumulative index, the hour's samples and the history."""

import msgspec


class FundingPoint(msgspec.Struct, frozen=True, kw_only=True):
    """One funding tick: when, the 8-hour rate, the index after it, and the index price."""

    time_ms: int
    rate_ppm: int
    index: int
    price: int


class FundingState(msgspec.Struct, frozen=True, kw_only=True):
    """``index`` is cumulative funding per step of position, in 1/INDEX_SCALE quantums.

    Create it with the market's opening time as ``last_tick_ms``.
    """

    last_tick_ms: int
    index: int = 0
    samples: tuple[int, ...] = ()
    last_sample_ms: int | None = None
    history: tuple[FundingPoint, ...] = ()
