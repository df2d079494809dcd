"""Trading events: what deposits, transfers, orders and fills did."""

from isoperp.events import Event


class Deposited(Event, frozen=True, kw_only=True):
    owner: int
    subaccount: int
    amount: int


class Withdrawn(Event, frozen=True, kw_only=True):
    owner: int
    subaccount: int
    amount: int


class Transferred(Event, frozen=True, kw_only=True):
    owner: int
    subaccount: int
    to_owner: int
    to_subaccount: int
    amount: int


# OrderAccepted and Fill, made for every order and fill, also take their fields by position:
# the engine builds them so, and msgspec then matches no keyword names (about 290 fewer
# instructions an event). Keep the field order; a test checks every field.
class OrderAccepted(Event, frozen=True, kw_only=False):
    order_id: int
    owner: int
    subaccount: int
    client_id: int
    market: str
    side: str
    price: int
    size: int


class OrderRested(Event, frozen=True, kw_only=True):
    """The unfilled part of an order now rests on the book (or waits for its trigger)."""

    order_id: int
    remaining: int


class OrderCanceled(Event, frozen=True, kw_only=True):
    """An order left the book unfilled; ``reason`` is stable and machine-readable:
    user, ioc_remainder, self_trade, expired, reduce_only, margin, position_limit,
    open_interest_cap, market_status."""

    order_id: int
    remaining: int
    reason: str


class OrderResized(Event, frozen=True, kw_only=True):
    """A reduce-only order shrank because the position it reduces shrank."""

    order_id: int
    remaining: int


class OrderTriggered(Event, frozen=True, kw_only=True):
    """A stop or take-profit order fired; a new live order (OrderAccepted) follows."""

    order_id: int
    mark_price: int


class Fill(Event, frozen=True, kw_only=False):
    market: str
    price: int
    size: int
    taker_side: str
    maker_order_id: int
    taker_order_id: int
    maker_owner: int
    maker_subaccount: int
    taker_owner: int
    taker_subaccount: int
    maker_fee: int  # quantums paid by the maker; negative is a rebate
    taker_fee: int


class PositionSettled(Event, frozen=True, kw_only=True):
    """Final settlement closed a position at the settlement price; ``amount`` is the
    collateral it paid (size·price·k, signed)."""

    owner: int
    subaccount: int
    market: str
    size: int
    price: int
    amount: int
