"""Oracle events: accepted prices, prices held for confirmation, staleness and recovery."""

from isoperp.events import Event


class OraclePriceUpdated(Event, frozen=True, kw_only=True):
    """The market's oracle price is now ``price`` (observed at ``price_time_ms``).

    ``confirmed`` is true when the price had moved beyond the band and a second report
    confirmed it.
    """

    market: str
    price: int
    previous_price: int | None
    price_time_ms: int
    confirmed: bool


class OraclePricePending(Event, frozen=True, kw_only=True):
    """A report moved the price beyond the band; it waits for a confirming report."""

    market: str
    price: int
    last_price: int
    pending_since_ms: int
    confirmable_from_ms: int


class OracleStale(Event, frozen=True, kw_only=True):
    """The market's price is older than allowed (or there is none); ``policy`` says what stops."""

    market: str
    last_price: int | None
    last_price_time_ms: int | None
    now_ms: int
    policy: str


class OracleRecovered(Event, frozen=True, kw_only=True):
    """A fresh price was accepted for a stale market."""

    market: str
    price: int
    price_time_ms: int
