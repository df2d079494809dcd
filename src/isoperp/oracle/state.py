"""Per-market oracle state: plain frozen structs, so it snapshots and hashes exactly."""

import msgspec


class PendingPrice(msgspec.Struct, frozen=True, kw_only=True):
    """A price beyond the band, waiting for confirmation.

    ``since_ms`` is the report time of the first report that moved it (the confirmation delay
    runs from there); ``latest_ms`` is the newest signed timestamp seen for it, which a
    confirming report must strictly exceed in every signature.
    """

    price: int
    since_ms: int
    latest_ms: int


class OracleState(msgspec.Struct, frozen=True, kw_only=True):
    """The last accepted price and its report time, any pending price, and the stale flag.

    A report's time is its oldest signed timestamp (a price is as old as its oldest
    support). A market starts stale: it has no price.
    """

    price: int | None = None
    price_time_ms: int | None = None
    pending: PendingPrice | None = None
    stale: bool = True
