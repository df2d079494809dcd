"""The oracle: signed price reports, the price band, staleness and the mark price.

Prices are in the market's ticks and times in milliseconds, except signed timestamps, which
are seconds as in StarkEx. The rules are written out in docs/oracle-and-funding.md.
"""

from isoperp.oracle.config import OracleConfig, StalePolicy
from isoperp.oracle.mark import (
    MarkConfig,
    MarkMode,
    MarkState,
    book_price,
    mark_price,
    update_basis_ema,
)
from isoperp.oracle.signing import TIMESTAMP_BOUND, price_message, sign_price
from isoperp.oracle.staleness import (
    check_staleness,
    is_too_old,
    liquidation_price,
    risk_increasing_allowed,
    too_old_at,
)
from isoperp.oracle.state import OracleState, PendingPrice
from isoperp.oracle.update import OracleOutcome, apply_price_report, within_band
from isoperp.oracle.validation import Verifier, cheap_problem, is_median, signature_problem

__all__ = [
    "TIMESTAMP_BOUND",
    "MarkConfig",
    "MarkMode",
    "MarkState",
    "OracleConfig",
    "OracleOutcome",
    "OracleState",
    "PendingPrice",
    "StalePolicy",
    "Verifier",
    "apply_price_report",
    "book_price",
    "cheap_problem",
    "check_staleness",
    "is_median",
    "is_too_old",
    "liquidation_price",
    "mark_price",
    "price_message",
    "risk_increasing_allowed",
    "sign_price",
    "signature_problem",
    "too_old_at",
    "update_basis_ema",
    "within_band",
]
