"""Matching: price-time priority, time in force, post-only, FOK, STP, reduce-only, triggers."""

from isoperp.commands.trading import (
    CancelAll,
    CancelOrder,
    Deposit,
    OrderKind,
    TimeInForce,
)
from isoperp.engine import Engine
from isoperp.events.trading import Fill, OrderAccepted, OrderCanceled, OrderResized, OrderRested
from tests.engine.helpers import USDC, deposit, kinds, order, rejection, set_price

A, B, C = 0xA, 0xB, 0xC


def funded(markets, *owners: int) -> Engine:
    eng = Engine(markets)
    for owner in owners:
        deposit(eng, owner, 1_000_000)
    return eng


def fills(events) -> list[tuple[int, int, int]]:
    return [(e.maker_order_id, e.price, e.size) for e in events if isinstance(e, Fill)]


def test_price_then_time_priority(markets) -> None:
    eng = funded(markets, A, B, C)
    eng.apply(order(A, "sell", 50_010, 5, cid=1))  # order 1
    eng.apply(order(B, "sell", 50_005, 5, cid=1))  # order 2: better price
    eng.apply(order(A, "sell", 50_005, 5, cid=2))  # order 3: same price, later
    events = eng.apply(order(C, "buy", 50_010, 12, ts=3)).events
    assert fills(events) == [(2, 50_005, 5), (3, 50_005, 5), (1, 50_010, 2)]
    assert eng.markets["BTC-USD"].book.depth(False) == [(50_010, 3)]


def test_order_and_fill_events_carry_every_field(markets) -> None:
    """Every field of OrderAccepted and Fill, with distinct values: the engine builds both
    positionally, so a swapped argument would show here. A cross maker (A, subaccount 0)
    sells to an isolated taker (B, subaccount 1) at BTC-USD's fees: maker −100 ppm (a
    rebate, rounded down), taker 500 ppm (rounded up), on 3 steps · 50,005 ticks · 1,000
    quantums = 150,015,000 quantums."""
    eng = funded(markets, A, B)
    eng.apply(order(A, "sell", 50_005, 3, cid=7))  # order 1
    taker = order(B, "buy", 50_010, 5, cid=9, sub=1, isolated_margin=10_000 * USDC, margin_source=0)
    assert eng.apply(taker).events == [
        OrderAccepted(
            order_id=2,
            owner=B,
            subaccount=1,
            client_id=9,
            market="BTC-USD",
            side="buy",
            price=50_010,
            size=5,
        ),
        Fill(
            market="BTC-USD",
            price=50_005,
            size=3,
            taker_side="buy",
            maker_order_id=1,
            taker_order_id=2,
            maker_owner=A,
            maker_subaccount=0,
            taker_owner=B,
            taker_subaccount=1,
            maker_fee=-15_001,  # −150,015,000 · 100 / 1e6 = −15,001.5, paid out rounded down
            taker_fee=75_008,  # 150,015,000 · 500 / 1e6 = 75,007.5, charged rounded up
        ),
        OrderRested(order_id=2, remaining=2),
    ]


def test_ioc_remainder_is_cancelled_and_gtc_remainder_rests(markets) -> None:
    eng = funded(markets, A, B)
    eng.apply(order(A, "sell", 50_000, 3))
    events = eng.apply(order(B, "buy", 50_000, 5, tif=TimeInForce.IOC)).events
    assert kinds(events) == ["OrderAccepted", "Fill", "OrderCanceled"]
    assert events[-1].remaining == 2 and events[-1].reason == "ioc_remainder"
    assert eng.markets["BTC-USD"].book.best_bid() is None
    eng.apply(order(A, "sell", 50_000, 3, cid=2))
    events = eng.apply(order(B, "buy", 50_000, 5, cid=2)).events
    assert kinds(events) == ["OrderAccepted", "Fill", "OrderRested"]
    assert eng.markets["BTC-USD"].book.depth(True) == [(50_000, 2)]


def test_fok_fills_completely_or_changes_nothing(markets) -> None:
    eng = funded(markets, A, B)
    eng.apply(order(A, "sell", 50_000, 3))
    before = eng.state_digest()
    assert rejection(eng.apply(order(B, "buy", 50_000, 4, tif=TimeInForce.FOK)).events) == (
        "fok_not_filled"
    )
    assert eng.state_digest() == before
    events = eng.apply(order(B, "buy", 50_000, 3, tif=TimeInForce.FOK)).events
    assert fills(events) == [(1, 50_000, 3)]


def test_post_only_rejected_if_it_would_cross(markets) -> None:
    eng = funded(markets, A, B)
    eng.apply(order(A, "sell", 50_000, 3))
    post = TimeInForce.POST_ONLY
    assert rejection(eng.apply(order(B, "buy", 50_000, 1, tif=post)).events) == (
        "post_only_would_cross"
    )
    assert kinds(eng.apply(order(B, "buy", 49_999, 1, tif=post)).events) == [
        "OrderAccepted",
        "OrderRested",
    ]


def test_market_order_needs_immediate_tif_and_respects_worst_price(markets) -> None:
    eng = funded(markets, A, B)
    eng.apply(order(A, "sell", 50_000, 1, cid=1))
    eng.apply(order(A, "sell", 50_100, 1, cid=2))
    market = OrderKind.MARKET
    assert rejection(eng.apply(order(B, "buy", 50_050, 2, kind=market)).events) == "bad_order_type"
    events = eng.apply(order(B, "buy", 50_050, 2, kind=market, tif=TimeInForce.IOC)).events
    assert fills(events) == [(1, 50_000, 1)]
    assert events[-1].reason == "ioc_remainder"


def test_self_trade_expires_the_resting_maker(markets) -> None:
    eng = funded(markets, A, B)
    eng.apply(order(A, "sell", 50_000, 2, cid=1))  # order 1, A's own
    eng.apply(order(B, "sell", 50_001, 2, cid=1))  # order 2
    events = eng.apply(order(A, "buy", 50_001, 2, cid=2, ts=3)).events
    cancel = next(e for e in events if isinstance(e, OrderCanceled))
    assert (cancel.order_id, cancel.reason, cancel.remaining) == (1, "self_trade", 2)
    assert fills(events) == [(2, 50_001, 2)]
    assert 1 not in eng.subaccounts[(A, 0)].orders


def test_reduce_only_is_capped_resized_and_cancelled(markets) -> None:
    eng = funded(markets, A, B, C)
    assert rejection(eng.apply(order(A, "sell", 60_000, 5, reduce_only=True)).events) == (
        "reduce_only_would_increase"
    )
    eng.apply(order(B, "sell", 50_000, 10))
    eng.apply(order(A, "buy", 50_000, 10, cid=2))  # A is long 10
    events = eng.apply(order(A, "sell", 60_000, 25, cid=3, reduce_only=True)).events
    assert events[0].size == 10  # capped at |position|
    eng.apply(order(C, "buy", 49_000, 4, cid=1))
    events = eng.apply(order(A, "sell", 49_000, 4, cid=4, tif=TimeInForce.IOC)).events
    resized = [e for e in events if isinstance(e, OrderResized)]
    assert [(e.order_id, e.remaining) for e in resized] == [(3, 6)]
    eng.apply(order(C, "buy", 48_000, 6, cid=2))
    events = eng.apply(order(A, "sell", 48_000, 6, cid=5, tif=TimeInForce.IOC)).events
    cancels = [(e.order_id, e.reason) for e in events if isinstance(e, OrderCanceled)]
    assert cancels == [(3, "reduce_only")]
    assert eng.subaccounts[(A, 0)].orders == {}


def test_cancel_and_cancel_all(markets) -> None:
    eng = funded(markets, A)
    eng.apply(order(A, "buy", 49_000, 1, cid=1))
    eng.apply(order(A, "buy", 29_000, 1, cid=2, market="ETH-USD"))
    eng.apply(order(A, "buy", 48_000, 1, cid=3))
    events = eng.apply(CancelOrder(ts=3, owner=A, subaccount=0, client_id=1)).events
    assert kinds(events) == ["OrderCanceled"] and events[0].reason == "user"
    assert rejection(eng.apply(CancelOrder(ts=3, owner=A, subaccount=0, client_id=1)).events) == (
        "unknown_order"
    )
    events = eng.apply(CancelAll(ts=4, owner=A, market="BTC-USD")).events
    assert [e.order_id for e in events] == [3]
    assert list(eng.subaccounts[(A, 0)].orders) == [2]
    assert eng.subaccounts[(A, 0)].exposure.keys() == {"ETH-USD"}


def test_open_order_cap(markets) -> None:
    eng = Engine(markets, max_open_orders=3)
    deposit(eng, A, 1_000_000)
    for cid in range(3):
        eng.apply(order(A, "buy", 40_000 + cid, 1, cid=cid))
    assert rejection(eng.apply(order(A, "buy", 40_100, 1, cid=9)).events) == "too_many_open_orders"


def test_gtt_order_never_trades_after_expiry_and_is_swept(markets) -> None:
    eng = funded(markets, A, B)
    eng.apply(order(A, "sell", 50_000, 2, tif=TimeInForce.GTT, expires_at=100))
    events = eng.apply(order(B, "buy", 50_000, 1, ts=100, tif=TimeInForce.IOC)).events
    assert not fills(events)
    canceled = [(e.order_id, e.reason) for e in events if isinstance(e, OrderCanceled)]
    assert canceled == [(1, "expired"), (2, "ioc_remainder")]
    eng2 = funded(markets, A, B)
    eng2.apply(order(A, "sell", 50_000, 2, tif=TimeInForce.GTT, expires_at=100))
    events = eng2.apply(Deposit(ts=150, owner=A, subaccount=0, amount=1)).events
    assert ("OrderCanceled", "expired") in [
        (type(e).__name__, getattr(e, "reason", "")) for e in events
    ]
    assert eng2.markets["BTC-USD"].book.orders == {}


def test_stop_order_fires_when_the_mark_crosses_its_trigger(markets) -> None:
    eng = funded(markets, A, B)
    eng.apply(order(B, "buy", 45_000, 5))
    eng.apply(order(A, "sell", 45_000, 5, cid=7, kind=OrderKind.STOP, trigger_price=46_000))
    assert not any(isinstance(e, Fill) for e in set_price(eng, "BTC-USD", 47_000, ts=3_000))
    events = set_price(eng, "BTC-USD", 46_000, ts=4_000)
    assert kinds(events)[:3] == ["OraclePriceUpdated", "OrderTriggered", "OrderAccepted"]
    assert fills(events) == [(1, 45_000, 5)]
    assert eng.markets["BTC-USD"].triggers == {}


def test_a_level_emptied_by_a_fill_behind_a_cancelled_order_is_gone(markets) -> None:
    """A fill that exactly uses up the head of a level whose other orders were cancelled
    must not leave the level behind: a post-only buy at that price no longer crosses."""
    eng = funded(markets, A, B, C)
    eng.apply(order(A, "sell", 50_010, 5, cid=1))
    eng.apply(order(B, "sell", 50_010, 5, cid=1))  # behind A's, at the same price
    eng.apply(CancelOrder(ts=2, owner=B, subaccount=0, client_id=1))
    assert fills(eng.apply(order(C, "buy", 50_010, 5, ts=3)).events) == [(1, 50_010, 5)]
    book = eng.markets["BTC-USD"].book
    assert book.best_ask() is None and book.depth(False) == []
    post_only = order(C, "buy", 50_010, 1, ts=4, cid=2, tif=TimeInForce.POST_ONLY)
    assert kinds(eng.apply(post_only).events) == ["OrderAccepted", "OrderRested"]
