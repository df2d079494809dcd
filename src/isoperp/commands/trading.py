"""Trading commands: money in and out, transfers, orders.

Subaccounts are addressed by (owner, number): ``owner`` is the owner's STARK public key,
number 0 is the cross-margined subaccount, numbers 1.. are isolated subaccounts, each bound
to the one market it first trades. Sizes are in steps, prices in ticks, money in quantums.
"""

from enum import StrEnum

from isoperp.commands import Command


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class TimeInForce(StrEnum):
    GTC = "gtc"  # rests until cancelled
    GTT = "gtt"  # rests until ``expires_at``
    IOC = "ioc"  # fills what it can now; the rest is cancelled
    FOK = "fok"  # fills completely now or not at all
    POST_ONLY = "post_only"  # rests; rejected if it would cross


class OrderKind(StrEnum):
    LIMIT = "limit"
    MARKET = "market"  # IOC with a mandatory worst price in ``price``
    STOP = "stop"  # fires from the mark price crossing ``trigger_price`` against you
    TAKE_PROFIT = "take_profit"  # fires from the mark price crossing it in your favour


class Deposit(Command, frozen=True, kw_only=True):
    owner: int
    subaccount: int
    amount: int  # quantums


class Withdraw(Command, frozen=True, kw_only=True):
    owner: int
    subaccount: int
    amount: int


class Transfer(Command, frozen=True, kw_only=True):
    """Move collateral between subaccounts (an owner's own, or to another owner)."""

    owner: int
    subaccount: int
    to_owner: int
    to_subaccount: int
    amount: int


class FundInsurance(Command, frozen=True, kw_only=True):
    """Money paid into an insurance fund from outside (``fund``: "global" or a market id
    whose isolated subaccounts it backs); it counts as a deposit into the exchange."""

    fund: str
    amount: int


class TakeOver(Command, frozen=True, kw_only=True):
    """An external liquidator (``owner``/``subaccount``) takes ``size`` steps of a
    liquidatable position at the mark, the liquidated trader paying the market's discount
    (StarkEx liquidate, Drift liquidate_perp)."""

    owner: int
    subaccount: int
    target_owner: int
    target_subaccount: int
    market: str
    size: int


class PlaceOrder(Command, frozen=True, kw_only=True):
    """Place an order. For an isolated subaccount, ``isolated_margin`` quantums are first
    moved in from the owner's subaccount ``margin_source``; order and move stand or fall
    together."""

    owner: int
    subaccount: int
    market: str
    client_id: int
    side: Side
    price: int  # limit price, or the worst price of a market order
    size: int
    kind: OrderKind = OrderKind.LIMIT
    tif: TimeInForce = TimeInForce.GTC
    reduce_only: bool = False
    expires_at: int | None = None  # GTT only, milliseconds
    trigger_price: int | None = None  # STOP / TAKE_PROFIT only
    isolated_margin: int = 0
    margin_source: int = 0


class CancelOrder(Command, frozen=True, kw_only=True):
    owner: int
    subaccount: int
    client_id: int


class CancelAll(Command, frozen=True, kw_only=True):
    """Cancel every open order of the owner, narrowed to one subaccount and/or one market."""

    owner: int
    subaccount: int | None = None
    market: str | None = None
