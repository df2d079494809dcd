"""The native core's margin and cost arithmetic against the Python reference model.

accounts.margin is the readable model of the margin rules (TV, IMR, MMR with unsettled
funding; free collateral in the worst case of open orders); the native core computes the
same in C on machine integers. These tests hold the core to the model on the copies the
engine hands out, including values past 2^62 where the core takes its 128-bit paths.
"""

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.accounts import Exposure, free_collateral, health
from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import Deposit, PlaceOrder, Side, TimeInForce
from isoperp.engine import Engine
from isoperp.events import Event, Rejected
from isoperp.markets.examples import BTC_USD
from tests.engine import test_native

# One step is worth price·1.601e7 quantums: at 2^28 ticks, 4.3e15 (cf. BTC's 1e3).
WIDE = msgspec.structs.replace(
    BTC_USD,
    market_id="WIDE-USD",
    base_asset="WIDE",
    tick_size="0.1",
    step_size="160.1",
    quantums_per_step_tick=16_010_000,
    initial_margin_ppm=10_007,
    maintenance_margin_ppm=5_003,
    baseline_position_steps=10_000,
    incremental_position_steps=1_000,
    max_position_steps=100_000,
    open_interest_cap_steps=100_000,
)


def wide_order(owner: int, side: Side, price: int, size: int, cid: int, ts: int) -> PlaceOrder:
    return PlaceOrder(
        ts=ts,
        owner=owner,
        subaccount=0,
        market="WIDE-USD",
        client_id=cid,
        side=side,
        price=price,
        size=size,
    )


def refusal(events: list[Event]) -> str | None:
    return events[0].message if isinstance(events[0], Rejected) else None


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_the_core_values_every_changed_subaccount_as_the_model_does(seed: int) -> None:
    """After every command of a seeded session (two markets, cross and isolated, funding
    ticks, stale prices), each subaccount it touched, and after a price report every
    subaccount, has the same TV, IMR and MMR in the core as accounts.margin gives for its
    copy at the engine's marks."""
    eng = Engine(
        [(test_native.BTC, test_native.BTC_PRICE), (test_native.ETH, test_native.ETH_PRICE)]
    )
    checked = ticks = 0
    for cmd in test_native.session(seed, 1_500):  # over an hour: a funding tick
        applied = eng.apply(cmd)
        ticks += any(type(e).__name__ == "FundingRateUpdated" for e in applied.events)
        touched = applied.touched
        for key in list(eng.subaccounts) if isinstance(cmd, PriceReport) else sorted(touched):
            expected = health(eng.subaccounts[key], eng.markets)
            got = eng.health(key)
            assert (got.value, got.initial, got.maintenance) == (
                expected.value,
                expected.initial,
                expected.maintenance,
            ), (cmd, key)
            checked += 1
    assert checked > 2_000 and ticks >= 1


def test_a_refusal_past_2_to_the_62_names_the_shortfall_the_model_computes() -> None:
    """Two owners trade 997 steps a round, about 4.3e18 quantums of notional each way, until
    the seller's next order would leave it below initial margin in the worst case of its
    orders. The core's refusal carries the shortfall; the model, given the subaccount's copy
    with that order's exposure added, computes the same, to the quantum."""
    price = 2**28
    eng = Engine([(WIDE, price)], max_open_orders=4)
    for owner in (1, 2):
        eng.apply(Deposit(ts=0, owner=owner, subaccount=0, amount=2 * 10**17))
    refused = None
    for n in range(1, 6):
        before = eng.subaccounts[(1, 0)]
        sell = wide_order(1, Side.SELL, price + n, 997, cid=n, ts=n)
        refused = refusal(eng.apply(sell).events)
        if refused is not None:
            break
        assert refusal(eng.apply(wide_order(2, Side.BUY, price + n, 997, n, n)).events) is None
    assert refused is not None and n == 5, "the fifth round is the one refused"
    ((long_size, long_cost),) = [
        (p.size, p.cost) for p in eng.subaccounts[(2, 0)].positions.values()
    ]
    assert long_size == 4 * 997 and long_cost > 2**62
    exposure = before.exposure.setdefault("WIDE-USD", Exposure())
    exposure.sell_qty += 997
    exposure.sell_value += 997 * (price + 5)
    shortfall = -free_collateral(before, eng.markets)
    assert shortfall > 0
    assert refused == f"subaccount (0x1, 0) would be {shortfall} quantums below initial margin"


@settings(max_examples=60, deadline=None)
@given(
    first=st.integers(1, 900),
    second=st.integers(1, 900),
    price=st.integers(2**27, 2**28),
    sold=st.integers(0, 900),  # one order's notional stays within MAX_QUANTUMS
)
def test_a_reduction_keeps_the_exact_share_of_a_cost_basis_past_2_to_the_62(
    first: int, second: int, price: int, sold: int
) -> None:
    """A long built in two fills at two prices (its cost basis up to about 2^63 quantums),
    then partly sold: the cost kept is ⌊cost·new/old⌋, exactly."""
    eng = Engine([(WIDE, price)], max_open_orders=4)
    for owner in (1, 2, 3):
        eng.apply(Deposit(ts=0, owner=owner, subaccount=0, amount=2**62))
    for n, (size, at) in enumerate(((first, price), (second, price + 7)), 1):
        eng.apply(wide_order(1, Side.SELL, at, size, cid=n, ts=n))
        eng.apply(wide_order(2, Side.BUY, at, size, cid=n, ts=n))
    (position,) = eng.subaccounts[(2, 0)].positions.values()
    old, cost = first + second, position.cost
    k = WIDE.quantums_per_step_tick
    assert (position.size, cost) == (old, (first * price + second * (price + 7)) * k)
    new = old - min(sold, old)
    eng.apply(wide_order(3, Side.BUY, price, old - new, cid=1, ts=5))
    sell = msgspec.structs.replace(
        wide_order(2, Side.SELL, price, old - new, cid=3, ts=5), tif=TimeInForce.IOC
    )
    if old - new:
        assert refusal(eng.apply(sell).events) is None
    kept = eng.subaccounts[(2, 0)].positions.get("WIDE-USD")
    assert (kept.size, kept.cost) == (new, cost * new // old) if new else kept is None


def test_the_engines_copies_change_nothing_when_written() -> None:
    """Subaccounts and books are read through copies: writing to one leaves the state (and
    its digest) as it was."""
    eng = Engine(
        [(test_native.BTC, test_native.BTC_PRICE), (test_native.ETH, test_native.ETH_PRICE)]
    )
    for cmd in test_native.session(3, 300):
        eng.apply(cmd)
    digest = eng.state_digest()
    for key in list(eng.subaccounts):
        sub = eng.subaccounts[key]
        sub.collateral += 10**6
        sub.positions.clear()
        sub.orders.clear()
    book = eng.markets["BTC-USD"].book
    assert book.orders, "the session leaves resting orders"
    for order in book.orders.values():
        order.remaining = 0
    assert eng.state_digest() == digest
