"""The native core against the engine, event for event.

Random sessions of deposits, orders of every type the native core takes (limit and market;
GTC, GTT, IOC, FOK, post-only; reduce-only; isolated margin moved in), cancels, cancel-alls
and bad input, over two markets, cross and isolated subaccounts and owners with 252-bit keys,
go to a fresh ``Engine`` and a fresh ``NativeCore``. Every command must give the same events
(fields and messages included) and touch the same subaccounts, and at the end both must hold
the same collateral, positions, cost bases, fees, open interest and resting orders.
"""

import random

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.accounts import free_collateral, health
from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import (
    CancelAll,
    CancelOrder,
    Deposit,
    OrderKind,
    PlaceOrder,
    Side,
    TimeInForce,
    Transfer,
    Withdraw,
)
from isoperp.crypto import public_key
from isoperp.engine import Engine, orders
from isoperp.engine.native_core import NativeCore
from isoperp.engine.snapshot import canonical
from isoperp.events import Rejected
from isoperp.events.trading import OrderResized
from isoperp.markets import MarketSpec, MarketStatus
from isoperp.markets.examples import BTC_USD, ETH_USD
from tests.engine.helpers import report

MARKETS = [(BTC_USD, 50_000), (ETH_USD, 30_000)]  # ETH in 0.1-dollar ticks
OWNERS = (1, 2, public_key(11), public_key(22))
SUBS = (0, 0, 1, 2)
MAX_OPEN = 4


ENGINE_ONLY = ("FundingSampled", "FundingRateUpdated")  # funding ticks: not the core's yet


def _normal(events: list) -> list:
    return [
        (type(e).__name__, msgspec.structs.asdict(e))
        for e in events
        if type(e).__name__ not in ENGINE_ONLY and type(e).__module__ != "isoperp.events.oracle"
    ]


def _state(engine: Engine) -> tuple:
    subs = {
        key: (
            sub.collateral,
            {m: (p.size, p.cost, p.funding_index) for m, p in sub.positions.items()},
        )
        for key, sub in engine.subaccounts.items()
    }
    resting = {
        mid: sorted((o.order_id, o.remaining) for o in m.book.orders.values())
        for mid, m in engine.markets.items()
    }
    oi = {mid: m.open_interest for mid, m in engine.markets.items()}
    waiting = {mid: sorted(m.triggers) for mid, m in engine.markets.items()}
    return subs, engine.fee_collateral, engine.funding_pool, oi, resting, waiting


def _native_state(core: NativeCore, mids: tuple[str, ...] = ("BTC-USD", "ETH-USD")) -> tuple:
    return (
        core.positions(),
        core.fee_collateral(),
        core.funding_pool,
        {m: core.open_interest(m) for m in mids},
        {m: core.resting(m) for m in mids},
        {m: core.conditional(m) for m in mids},
    )


class Session:
    """Draws commands from one seed, with what it knows of the engine's open orders."""

    def __init__(self, rng: random.Random, engine: Engine) -> None:
        self.rng = rng
        self.engine = engine
        self.ts = 1
        self.client_id = 0
        self.pending: list[PriceReport] = []

    def next(self) -> object:
        rng = self.rng
        self.ts += rng.randint(0, 4)
        owner, sub = rng.choice(OWNERS), rng.choice(SUBS)
        op = rng.choice(
            ["place"] * 14 + ["cancel"] * 3 + ["cancel_all", "deposit", "bad", "price", "move"]
        )
        if self.pending:
            return self.pending.pop(0)
        if rng.random() < 0.004:  # an hour passes: funding ticks, and the oracles report
            self.ts += 3_600_000
            if rng.random() < 0.7:  # else ETH stays stale until its next report
                self.pending = [self.report(market, listed) for market, listed in MARKETS[1:]]
            return self.report(*MARKETS[0])
        if op == "price":  # within ±0.5% of the listing price: nobody becomes liquidatable
            self.ts += rng.randint(1_000, 3_000)
            return self.report(*rng.choice(MARKETS))
        if op == "move":
            amount = rng.choice([1, 500, 5_000, 50_000]) * 10**6
            if rng.random() < 0.5:
                return Withdraw(ts=self.ts, owner=owner, subaccount=sub, amount=amount)
            to_owner, to_sub = rng.choice(OWNERS), rng.choice((*SUBS, 3))
            return Transfer(
                ts=self.ts,
                owner=owner,
                subaccount=sub,
                to_owner=to_owner,
                to_subaccount=to_sub,
                amount=amount,
            )
        if op == "deposit":
            usdc = rng.choice([1, 50, 500, 5_000, 50_000])
            return Deposit(ts=self.ts, owner=owner, subaccount=sub, amount=usdc * 10**6)
        if op == "cancel":
            account = self.engine.subaccounts.get((owner, sub))
            open_ids = sorted(account.orders) if account else []
            client_id = rng.choice(open_ids) if open_ids and rng.random() < 0.8 else 10**6
            return CancelOrder(ts=self.ts, owner=owner, subaccount=sub, client_id=client_id)
        if op == "cancel_all":
            return CancelAll(
                ts=self.ts,
                owner=owner,
                subaccount=rng.choice([None, sub]),
                market=rng.choice([None, "BTC-USD", "ETH-USD"]),
            )
        return self.place(owner, sub, bad=op == "bad")

    def report(self, market: MarketSpec, listed: int) -> PriceReport:
        """A signed report within ±0.5% of the listing price: nobody becomes liquidatable."""
        price = listed + self.rng.randint(-listed // 200, listed // 200)
        return report(market.market_id, price, self.ts)

    def position(self, owner: int, sub: int, market: str) -> int:
        account = self.engine.subaccounts.get((owner, sub))
        return account.size(market) if account else 0

    def place(self, owner: int, sub: int, bad: bool) -> PlaceOrder:
        rng = self.rng
        markets = ["BTC-USD", "ETH-USD"]
        # an isolated subaccount mostly keeps to one market (1: BTC, 2: ETH)
        market = markets[sub - 1] if sub and rng.random() < 0.9 else rng.choice(markets)
        mark = self.engine.markets[market].price
        buy = rng.random() < 0.5
        kind = rng.choice([OrderKind.LIMIT] * 5 + list(OrderKind))
        tif = rng.choice([TimeInForce.GTC] * 4 + list(TimeInForce))
        extra: dict = {}
        if kind is OrderKind.MARKET:
            tif = rng.choice([TimeInForce.IOC, TimeInForce.FOK])
        if tif is TimeInForce.GTT:
            extra["expires_at"] = self.ts + 1 + rng.randint(0, 30)
        conditional = kind in (OrderKind.STOP, OrderKind.TAKE_PROFIT)
        if conditional:  # within the ±0.5% the price moves
            extra["trigger_price"] = mark + rng.randint(-mark // 200, mark // 200)
        if sub and rng.random() < 0.3 and not (conditional and rng.random() < 0.9):
            extra.update(isolated_margin=rng.choice([1, 100, 2_000]) * 10**6, margin_source=0)
        self.client_id += 1
        fields = dict(
            ts=self.ts,
            owner=owner,
            subaccount=sub,
            market=market,
            client_id=self.client_id if rng.random() < 0.95 else max(1, self.client_id - 1),
            side=Side.BUY if buy else Side.SELL,
            price=max(1, mark + rng.randint(-60, 60) * (1 if market == "BTC-USD" else 5)),
            size=rng.choice([1, 5, 20, 100, 400, 3_000]),
            kind=kind,
            tif=tif,
            reduce_only=rng.random() < (0.4 if self.position(owner, sub, market) else 0.03),
            **extra,
        )
        if bad:
            field, value = rng.choice(
                [
                    ("market", "DOGE-USD"),
                    ("size", 0),
                    ("price", 0),
                    ("price", 2**70),
                    ("client_id", -1),
                    ("subaccount", 200),
                    ("expires_at", 1),
                ]
            )
            fields[field] = value
        return PlaceOrder(**fields)


def side_by_side(engine: Engine, core: NativeCore, cmd: object) -> None:
    """One command through both. A price report is the engine's still: the core takes the
    mark, funding index and stale flags it leaves (and fires its triggers on the new mark),
    and must give the same expiries, triggers and fills. Any other command: time passes in
    both first, so that the core takes the oracle's stale flags before it; then both must
    give the same events and touch the same subaccounts."""
    if type(cmd) is PriceReport:
        events = engine.apply(cmd).events
        assert not any(type(e).__module__ == "isoperp.events.risk" for e in events)
        assert not any(isinstance(e, Rejected) for e in events), events
        got = core.advance(cmd.ts)
        for market_id, market in engine.markets.items():
            core.set_stale(market_id, market.oracle_stale)
            core.set_funding_index(market_id, market.funding.index)
            got += core.set_price(market_id, market.price, cmd.ts)
        assert _normal(got) == _normal(events), cmd
        return
    assert _normal(core.advance(cmd.ts)) == _normal(engine.advance(cmd.ts))
    for market_id, market in engine.markets.items():
        core.set_stale(market_id, market.oracle_stale)
    expected, got = engine.apply(cmd), core.apply(cmd)
    assert _normal(got.events) == _normal(expected.events), cmd
    assert got.touched == expected.touched, cmd


def funded(amount: int) -> tuple[Engine, NativeCore]:
    """A fresh engine and core, each owner's subaccounts 0 and 1 holding ``amount``."""
    engine, core = Engine(MARKETS, max_open_orders=MAX_OPEN), NativeCore(MARKETS, MAX_OPEN)
    for owner in OWNERS:
        for sub in (0, 1):
            side_by_side(engine, core, Deposit(ts=0, owner=owner, subaccount=sub, amount=amount))
    return engine, core


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**64 - 1), length=st.integers(100, 700))
def test_native_core_matches_the_engine(seed: int, length: int) -> None:
    engine, core = funded(20_000 * 10**6)
    session = Session(random.Random(seed), engine)
    for _ in range(length):
        side_by_side(engine, core, session.next())
    assert _native_state(core) == _state(engine)
    assert core.canonical() == _canonical(engine)


def _canonical(engine: Engine) -> dict:
    """What the core holds of engine/snapshot.py's canonical encoding of the engine."""
    header, _, markets, subaccounts, _ = canonical(engine, governance=None)
    return {
        "header": [header[2], header[3], header[4], header[5], header[6]],
        "markets": {row[0]: [row[2], row[3], row[7], row[8]] for row in markets},
        "subaccounts": subaccounts,
    }


def test_a_session_exercises_every_order_path() -> None:
    """The generator reaches fills, every cancel reason and the refusals that matter."""
    seen: set[str] = set()
    for seed in range(6):
        engine, _ = funded(20_000 * 10**6)
        session = Session(random.Random(seed), engine)
        for _ in range(700):
            for e in engine.apply(session.next()).events:
                seen.add(type(e).__name__ + ":" + getattr(e, "code", getattr(e, "reason", "")))
    wanted = {
        "Fill:",
        "OrderRested:",
        "OrderResized:",
        "OrderCanceled:user",
        "OrderCanceled:ioc_remainder",
        "OrderCanceled:self_trade",
        "OrderCanceled:expired",
        "OrderCanceled:reduce_only",
        "Rejected:insufficient_margin",
        "Rejected:post_only_would_cross",
        "Rejected:fok_not_filled",
        "Rejected:reduce_only_would_increase",
        "Rejected:unknown_order",
        "Rejected:too_many_open_orders",
        "Rejected:duplicate_client_id",
        "Rejected:unknown_market",
        "Rejected:out_of_bounds",
        "OrderTriggered:",
        "FundingPaid:",
        "Withdrawn:",
        "Transferred:",
        "Rejected:oracle_stale",
    }
    assert wanted <= seen, sorted(wanted - seen)


# A market where a position's notional outgrows 64 bits (k = 16,010,000: tick 0.1, step
# 160.1, so notionals are not whole millions and every ppm product rounds), at 1% initial
# margin (10,007 ppm: no product comes out whole) so that collateral within MAX_QUANTUMS
# can carry it.
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


def test_requirements_beyond_64_bits_round_as_the_engine_rounds() -> None:
    """Positions whose notional passes 2^62 quantums take the 128-bit path of the ppm
    products; fills, fees and requirements must still equal the engine's to the quantum."""
    price = 2**28  # ticks: one step is worth 2^28·1.6e7 ≈ 4.3e15 quantums
    markets = [(WIDE, price)]
    engine, core = Engine(markets, max_open_orders=MAX_OPEN), NativeCore(markets, MAX_OPEN)
    commands: list = [
        Deposit(ts=0, owner=owner, subaccount=0, amount=2 * 10**17) for owner in (1, 2)
    ]
    for n in range(1, 6):  # 997 steps a round ≈ 4.3e18 quantums of notional each way
        commands += [
            PlaceOrder(
                ts=n,
                owner=1,
                subaccount=0,
                market="WIDE-USD",
                client_id=n,
                side=Side.SELL,
                price=price + n,
                size=997,
            ),
            PlaceOrder(
                ts=n,
                owner=2,
                subaccount=0,
                market="WIDE-USD",
                client_id=n,
                side=Side.BUY,
                price=price + n,
                size=997,
            ),
        ]
    refusals = []
    for cmd in commands:
        expected, got = engine.apply(cmd), core.apply(cmd)
        assert _normal(got.events) == _normal(expected.events), cmd
        refusals += [e.message for e in got.events if isinstance(e, Rejected)]
    assert core.positions() == {key: state for key, state in _state(engine)[0].items()}
    ((long_size, long_cost, _),) = core.positions()[(2, 0)][1].values()
    assert long_size == 4 * 997 and long_cost > 2**62
    # The fifth round is refused, and its message carries the shortfall to the quantum.
    assert len(refusals) == 2 and "quantums below initial margin" in refusals[0], refusals
    assert core.fee_collateral() == engine.fee_collateral


def test_a_maker_that_owes_funding_is_judged_with_it_when_hit() -> None:
    """A resting buy accepted before a funding tick: once its owner's long owes funding,
    the fill's margin check must count the unsettled amount and take the maker off, as
    the engine does (and the core must settle the funding of the other fills)."""
    markets = [(BTC_USD, 50_000)]
    engine, core = Engine(markets, max_open_orders=MAX_OPEN), NativeCore(markets, MAX_OPEN)

    def both(cmd: object) -> list:
        expected, got = engine.apply(cmd), core.apply(cmd)
        assert _normal(got.events) == _normal(expected.events), cmd
        assert got.touched == expected.touched
        return [type(e).__name__ for e in got.events]

    for owner, usdc in ((1, 2_600), (2, 100_000), (3, 100_000)):
        both(Deposit(ts=1, owner=owner, subaccount=0, amount=usdc * 10**6))
    both(
        PlaceOrder(
            ts=2,
            owner=3,
            subaccount=0,
            market="BTC-USD",
            client_id=1,
            side=Side.SELL,
            price=50_000,
            size=500,
        )
    )
    both(
        PlaceOrder(
            ts=3,
            owner=1,
            subaccount=0,
            market="BTC-USD",
            client_id=1,
            side=Side.BUY,
            price=50_000,
            size=500,
        )
    )  # owner 1: long 0.5 BTC
    assert "OrderRested" in both(
        PlaceOrder(
            ts=4,
            owner=1,
            subaccount=0,
            market="BTC-USD",
            client_id=2,
            side=Side.BUY,
            price=49_000,
            size=500,
        )
    )
    # A funding tick charges longs 1,500 USDC per BTC (the index counts quantums per step,
    # times 1e6): owner 1 owes 750, which leaves too little for the resting buy to fill.
    market = engine.markets["BTC-USD"]
    market.funding = msgspec.structs.replace(market.funding, index=1_500 * 10**6 * 10**6 // 1_000)
    core.set_funding_index("BTC-USD", market.funding.index)
    kinds = both(
        PlaceOrder(
            ts=5,
            owner=2,
            subaccount=0,
            market="BTC-USD",
            client_id=1,
            side=Side.SELL,
            price=49_000,
            size=500,
            tif=TimeInForce.IOC,
        )
    )
    assert kinds == ["OrderAccepted", "OrderCanceled", "OrderCanceled"], kinds  # margin, IOC
    assert _native_state(core, ("BTC-USD",)) == _state(engine)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**64 - 1))
def test_the_primitives_for_the_rules_off_the_hot_path_match_the_engines(seed: int) -> None:
    """What liquidation, takeovers and governance will call on the core, against what they
    do to the engine today: health, free collateral, cancelling a subaccount's orders, one
    side of a trade outside the book with open interest, and a market's status."""
    rng = random.Random(seed)
    engine, core = funded(100_000 * 10**6)
    session = Session(rng, engine)
    for _ in range(400):
        side_by_side(engine, core, session.next())
        key = rng.choice(sorted(engine.subaccounts))
        sub = engine.subaccounts[key]
        expected = health(sub, engine.markets)
        assert core.health(*key) == (expected.value, expected.initial, expected.maintenance)
        assert core.free_collateral(*key) == free_collateral(sub, engine.markets)
        assert _copy(core.subaccount(*key)) == _copy(sub)
        step = rng.random()
        if step < 0.03:  # a liquidation's first step
            engine.events = []
            for order in sorted(sub.orders.values(), key=lambda o: o.order_id):
                orders.take_off(engine, order, "liquidation")
            assert _normal(core.cancel_orders(*key, "liquidation")) == _normal(engine.events)
        elif step < 0.06:  # a takeover's two sides, at the mark, one step
            other_key = rng.choice(sorted(engine.subaccounts))
            market_id = rng.choice(["BTC-USD", "ETH-USD"])
            if other_key == key or sub.is_isolated or engine.subaccounts[other_key].is_isolated:
                continue
            _trade_both(engine, core, key, other_key, market_id, rng.choice([-1, 1]))
        elif step < 0.08:  # governance moves a market's status
            market = engine.markets[rng.choice(["BTC-USD", "ETH-USD"])]
            status = rng.choice(
                [MarketStatus.ACTIVE] * 4 + [MarketStatus.REDUCE_ONLY, MarketStatus.PAUSED]
            )
            market.spec = msgspec.structs.replace(market.spec, status=status)
            core.set_spec(market.spec)
        elif step < 0.10:  # a protocol sweep through the book, its taker side a policy
            _sweep_both(engine, core, key, rng.choice(["BTC-USD", "ETH-USD"]), rng)
    for market_id, market in engine.markets.items():
        assert core.depth(market_id, True) == market.book.depth(True)
        assert core.depth(market_id, False) == market.book.depth(False)
        assert core.best(market_id, True) == market.book.best_bid()
        assert core.best(market_id, False) == market.book.best_ask()
        assert core.last_trade(market_id) == market.last_trade
        assert core.waiting(market_id) == market.triggers
        assert sorted(core.book_orders(market_id)) == sorted(market.book.orders)
    assert _native_state(core) == _state(engine)
    assert core.canonical() == _canonical(engine)
    # A core loaded from those rows holds the same and carries on as the engine restored.
    # (Restoring takes the markets' specs from the registry, so the status changes made
    # above by hand are gone from both.)
    restored = Engine.restore(engine.snapshot())
    loaded = NativeCore(MARKETS, MAX_OPEN)
    for market_id, market in restored.markets.items():  # before the orders: nothing fires
        loaded.set_price(market_id, market.price)
        loaded.set_funding_index(market_id, market.funding.index)
        loaded.set_stale(market_id, market.oracle_stale)
        loaded.set_spec(market.spec)
    loaded.load(core.canonical())
    loaded.last_ts = core.last_ts
    assert loaded.canonical() == core.canonical() == _canonical(restored)
    session.engine = restored
    for _ in range(100):
        side_by_side(restored, loaded, session.next())
    assert loaded.canonical() == _canonical(restored)
    # Final settlement of one market, as governance's delisting runs it.
    market = restored.markets["BTC-USD"]
    restored.events, restored.touched = [], set()
    restored._settle_market(market)
    events, touched = loaded.settle_market("BTC-USD")
    assert _normal(events) == _normal(restored.events)
    assert touched == restored.touched
    assert loaded.canonical() == _canonical(restored)


def _copy(sub: object) -> tuple:
    """What a subaccount copy carries, comparable across the engine and the core."""
    return (
        sub.key,
        sub.collateral,
        sub.isolated_market,
        [(m, p.size, p.funding_index, p.cost) for m, p in sub.positions.items()],
        {m: (e.buy_qty, e.buy_value, e.sell_qty, e.sell_value) for m, e in sub.exposure.items()},
        [(c, o.order_id, o.remaining, o.price, o.is_buy) for c, o in sub.orders.items()],
        sorted(sub.reduce_only),
    )


class _Plain(orders.Matcher):
    """A taker side for both sweeps: a fixed fee, a cap on how many fills it allows, and a
    note after each fill (the shape of liquidations.LiquidationMatcher)."""

    def __init__(self, fee: int, fills: int) -> None:
        self.fee, self.fills = fee, fills

    def taker_fee(self, amount: int) -> int:
        return self.fee

    def taker_allowed(self, qty: int, price: int, cash: int) -> bool:
        self.fills -= 1
        return self.fills >= 0

    def after_fill(self, qty: int, price: int) -> list:
        return [OrderResized(order_id=-qty, remaining=price)]  # any event will do as a marker


def _sweep_both(
    engine: Engine, core: NativeCore, key: tuple, market_id: str, rng: random.Random
) -> None:
    """A protocol order closing part of ``key``'s position through the book, in the engine
    (a Matcher whose taker side is ``_Plain``) and in the core (``_Plain`` as its policy)."""
    sub, market = engine.subaccounts[key], engine.markets[market_id]
    size = sub.size(market_id)
    if not size:
        return
    fee, fills, qty = rng.choice([0, 7]), rng.randint(0, 3), rng.randint(1, abs(size))
    limit = market.price * (95 if size > 0 else 105) // 100
    matcher = _Plain(fee, fills)
    matcher.setup(engine, market, sub, size < 0, 0, None)
    engine.events, engine.touched = [], set()

    def after_fill(qty: int, price: int) -> None:  # the engine's Matcher appends its own
        engine.events.extend(_Plain.after_fill(matcher, qty, price))

    matcher.after_fill = after_fill  # type: ignore[method-assign]
    left = matcher.sweep(limit, qty)
    got_left, events, touched = core.liquidation_sweep(
        *key, market_id, limit, qty, _Plain(fee, fills)
    )
    assert (got_left, _normal(events), touched) == (left, _normal(engine.events), engine.touched)


def _trade_both(
    engine: Engine, core: NativeCore, seller: tuple, buyer: tuple, market_id: str, steps: int
) -> None:
    """``steps`` move from ``seller`` to ``buyer`` at the mark, both sides through
    orders.trade in the engine and ``NativeCore.trade`` in the core, open interest after."""
    market = engine.markets[market_id]
    subs = engine.subaccounts[seller], engine.subaccounts[buyer]
    old_long = sum(max(s.size(market_id), 0) for s in subs)
    cash = steps * market.price * market.k
    engine.events, engine.touched = [], set()
    orders.trade(engine, subs[0], market, -steps, market.price, cash)
    orders.trade(engine, subs[1], market, steps, market.price, -cash)
    delta = sum(max(s.size(market_id), 0) for s in subs) - old_long
    market.open_interest += delta
    events, touched = core.trade(*seller, market_id, -steps, market.price, cash)
    more, more_touched = core.trade(*buyer, market_id, steps, market.price, -cash)
    core.add_open_interest(market_id, delta)
    assert _normal(events + more) == _normal(engine.events)
    assert touched | more_touched == engine.touched
