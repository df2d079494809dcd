"""Funding events: premium samples, hourly rates with the new index, and settlements."""

from isoperp.events import Event


class FundingSampled(Event, frozen=True, kw_only=True):
    """A premium sample in ppm of the index price (already clamped per market)."""

    market: str
    premium_ppm: int
    time_ms: int


class FundingRateUpdated(Event, frozen=True, kw_only=True):
    """A funding tick: the 8-hour ``rate_ppm`` applied, and the cumulative ``index`` after it."""

    market: str
    rate_ppm: int
    index: int
    index_delta: int
    price: int
    time_ms: int


class FundingPaid(Event, frozen=True, kw_only=True):
    """Funding settled on one position: ``amount`` is the change in the account's collateral
    in quantums (negative when the account pays)."""

    owner: int
    subaccount: int
    market: str
    amount: int
