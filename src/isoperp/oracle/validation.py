"""Admission of a price report: every cheap check first, signatures last.

The rules are StarkEx's [SP oracle/oracle_price.cairo]: at least a quorum of signed prices,
signer keys strictly increasing (so distinct) and whitelisted, timestamps inside the validity
window, and the claimed price a true median. Each failure has its own stable code.
"""

from collections.abc import Callable, Sequence

from isoperp.commands.oracle import PriceReport, SignedPrice
from isoperp.crypto import verify_fast
from isoperp.events import Rejected
from isoperp.numeric import MAX_PRICE_TICKS
from isoperp.oracle.config import OracleConfig
from isoperp.oracle.signing import TIMESTAMP_BOUND, price_message

Verifier = Callable[[int, int, int, int], bool]  # (public key x, message hash, r, s) -> valid


def is_median(prices: Sequence[int], claimed: int) -> bool:
    """StarkEx's median test: 2·#{p <= claimed} >= n and 2·#{p >= claimed} >= n."""
    n = len(prices)
    at_most = sum(1 for p in prices if p <= claimed)
    at_least = sum(1 for p in prices if p >= claimed)
    return n > 0 and 2 * at_most >= n and 2 * at_least >= n


def _price_problem(what: str, price: int) -> Rejected | None:
    if type(price) is not int or price <= 0:
        return Rejected(code="nonpositive_price", message=f"{what} {price!r} is not positive")
    if price > MAX_PRICE_TICKS:
        return Rejected(code="out_of_bounds", message=f"{what} {price} exceeds {MAX_PRICE_TICKS}")
    return None


def cheap_problem(config: OracleConfig, report: PriceReport) -> Rejected | None:
    """The first failed check that needs no cryptography, or None."""
    problem = _price_problem("claimed price", report.price)
    if problem is not None:
        return problem
    signed = report.signed_prices
    if type(signed) is not tuple or any(type(item) is not SignedPrice for item in signed):
        return Rejected(code="malformed_report", message="signed_prices: a tuple of SignedPrice")
    if len(signed) < config.quorum:
        return Rejected(
            code="below_quorum",
            message=f"{len(signed)} signed prices, quorum is {config.quorum}",
        )
    whitelist = frozenset(config.signers)
    previous_signer = -1
    for item in signed:
        if not all(type(v) is int for v in (item.signer, item.r, item.s)):
            return Rejected(code="malformed_report", message="signer and signature are integers")
        if item.signer <= previous_signer:
            return Rejected(
                code="signers_not_sorted",
                message="signer keys must be strictly increasing (no duplicates)",
            )
        previous_signer = item.signer
        if item.signer not in whitelist:
            return Rejected(code="unknown_signer", message=f"signer {item.signer:#x} not listed")
        problem = _price_problem("signed price", item.price)
        if problem is not None:
            return problem
        if type(item.timestamp) is not int or not 0 <= item.timestamp < TIMESTAMP_BOUND:
            return Rejected(code="out_of_bounds", message="signed timestamp must fit in 32 bits")
        signed_ms = item.timestamp * 1000
        if signed_ms < report.ts - config.max_lag_ms:
            return Rejected(
                code="timestamp_too_old",
                message=f"signed at {signed_ms} ms, older than {config.max_lag_ms} ms",
            )
        if signed_ms > report.ts + config.max_lead_ms:
            return Rejected(
                code="timestamp_in_future",
                message=f"signed at {signed_ms} ms, more than {config.max_lead_ms} ms ahead",
            )
    if not is_median([item.price for item in signed], report.price):
        return Rejected(code="not_median", message=f"{report.price} is not a median")
    return None


def signature_problem(
    config: OracleConfig, report: PriceReport, verifier: Verifier = verify_fast
) -> Rejected | None:
    """The first signed price whose signature fails, as a rejection, or None."""
    for item in report.signed_prices:
        message = price_message(config.asset_id, item.price, item.timestamp)
        if not verifier(item.signer, message, item.r, item.s):
            return Rejected(
                code="bad_signature", message=f"signature of signer {item.signer:#x} is invalid"
            )
    return None
