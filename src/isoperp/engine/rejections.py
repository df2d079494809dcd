"""Rejection codes: stable, machine-readable reasons a command changed nothing.

These are the engine's own; the oracle and governance packages add theirs (for example
``bad_signature``, ``below_quorum``, ``executor_insufficient``), passed through unchanged."""


class Code:
    """The codes as plain strings, like the other packages' (an Enum's class attribute
    lookup is slow, and refusals are common: a cancel racing a fill)."""

    OUT_OF_BOUNDS = "out_of_bounds"
    TIME_WENT_BACKWARDS = "time_went_backwards"
    UNKNOWN_COMMAND = "unknown_command"
    UNKNOWN_MARKET = "unknown_market"
    UNKNOWN_SUBACCOUNT = "unknown_subaccount"
    UNKNOWN_ORDER = "unknown_order"
    MARKET_NOT_ACTIVE = "market_not_active"
    BELOW_MIN_SIZE = "below_min_size"
    BAD_ORDER_TYPE = "bad_order_type"
    DUPLICATE_CLIENT_ID = "duplicate_client_id"
    TOO_MANY_OPEN_ORDERS = "too_many_open_orders"
    ISOLATED_MARKET_MISMATCH = "isolated_market_mismatch"
    BAD_MARGIN_SOURCE = "bad_margin_source"
    INSUFFICIENT_COLLATERAL = "insufficient_collateral"
    INSUFFICIENT_MARGIN = "insufficient_margin"
    REDUCE_ONLY_WOULD_INCREASE = "reduce_only_would_increase"
    POST_ONLY_WOULD_CROSS = "post_only_would_cross"
    FOK_NOT_FILLED = "fok_not_filled"
    POSITION_LIMIT = "position_limit"
    NO_PRICE = "no_price"
    ORACLE_STALE = "oracle_stale"
    NOT_LIQUIDATABLE = "not_liquidatable"


class Reject(Exception):
    """Raised inside a handler before it mutates anything; ``apply`` turns it into a
    ``Rejected`` event, so it never escapes the engine."""

    def __init__(self, code: str, message: str) -> None:
        # BaseException.__new__ has kept (code, message) as ``args`` already.
        self.code = code
        self.message = message
