"""Risk events: liquidations, insurance-fund flows, deleveraging and socialized losses.

Each names who lost or received how much, in quantums, so the lab and the API can follow
every quantum of a shortfall from the bankrupt account to whoever absorbed it.
"""

from isoperp.events import Event


class LiquidationStarted(Event, frozen=True, kw_only=True):
    """A subaccount fell below maintenance: TNC < TMMR (funding settled)."""

    owner: int
    subaccount: int
    net_collateral: int
    maintenance: int


class LiquidationStep(Event, frozen=True, kw_only=True):
    """Part of a position closed: ``size`` steps (signed, the change to the position) at
    ``price`` ticks for ``quote`` quantums received (negative: paid), and
    ``insurance_delta`` paid to the insurance fund (negative: paid by the fund)."""

    owner: int
    subaccount: int
    market: str
    size: int
    price: int
    quote: int
    insurance_delta: int
    by: str  # "protocol" (the IOC liquidation order) or the liquidator's "owner:subaccount"


class LiquidationEnded(Event, frozen=True, kw_only=True):
    """The liquidation stopped: ``reason`` is healthy, closed, or deleveraged."""

    owner: int
    subaccount: int
    reason: str


class InsuranceFunded(Event, frozen=True, kw_only=True):
    """Money paid into a fund from outside the exchange."""

    fund: str
    amount: int
    balance: int  # after


class InsuranceFeeReceived(Event, frozen=True, kw_only=True):
    """The fund took ``amount`` from the subaccount."""

    fund: str
    owner: int
    subaccount: int
    amount: int
    balance: int  # after


class InsurancePayout(Event, frozen=True, kw_only=True):
    """The fund paid ``amount`` of a ``requested`` shortfall to the subaccount; less when
    the balance or a cap ran out (``limited_by``: "", balance, event_cap, period_cap)."""

    fund: str
    owner: int
    subaccount: int
    requested: int
    amount: int
    balance: int  # after
    limited_by: str


class Deleveraged(Event, frozen=True, kw_only=True):
    """The subaccount's position changed by ``size`` steps against the bankrupt one at its
    bankruptcy price (``price`` ticks, rounded; ``quote`` the exact quantums the subaccount
    received, negative: paid); ``amount`` is the profit at the mark it gave up."""

    owner: int
    subaccount: int
    market: str
    size: int
    price: int
    quote: int
    amount: int
    bankrupt_owner: int
    bankrupt_subaccount: int


class SocializedLoss(Event, frozen=True, kw_only=True):
    """``amount`` spread over open interest: each long's funding index moves by
    ``long_index_delta`` and each short's by ``short_index_delta`` (funding units, 1e-6
    quantum per step), charging ``charged`` ≥ ``amount`` in total."""

    market: str
    amount: int
    long_index_delta: int
    short_index_delta: int
    charged: int
