"""Stateful property test: long random command sequences over several markets, owners and
cross and isolated subaccounts, checking the exchange's invariants throughout.

Each rule step is a burst of 200–800 commands generated from a hypothesis-drawn seed (so one
example runs thousands of commands without exhausting hypothesis's per-example buffer, and a
failure is reproduced by its seeds); cheap checks run after every command, the full
invariants after every burst, and the command log is replayed into a fresh engine at the
end of every example.
"""

import random

import msgspec
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from isoperp.accounts import health
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
from isoperp.engine import Engine
from isoperp.events import Rejected
from tests.conftest import BTC, BTC_PRICE, ETH, ETH_PRICE
from tests.engine.helpers import report

OWNERS = tuple(public_key(secret) for secret in (11, 22, 33, 44))  # real 252-bit keys
SUBS = (0, 0, 1, 2)  # cross twice as likely
TradingCommand = PlaceOrder | CancelOrder | CancelAll | Deposit | Withdraw | Transfer | PriceReport
LOG_CODEC = msgspec.json.Encoder(), msgspec.json.Decoder(list[TradingCommand])
# A crash is a ±9% move, inside the price band: bankruptcies and their losses.
OPS = ["place"] * 10 + ["cancel"] * 3 + ["price"] * 2 + ["crash"]
OPS += ["deposit", "withdraw", "transfer", "cancel_all"]


def fresh_engine(loss_policy: int | None = None) -> Engine:
    engine = Engine([(BTC, BTC_PRICE), (ETH, ETH_PRICE)], max_open_orders=12)
    if loss_policy is not None:  # test setup: markets listed with another loss policy
        engine.gov.registry.commit(
            {f"risk.{m}.loss_policy": loss_policy for m in ("BTC-USD", "ETH-USD")}, by="test"
        )
        engine._sync_markets()
    return engine


class Exchange(RuleBasedStateMachine):
    loss_policy: int | None = None  # the registry's default: seeded-random ADL

    @initialize()
    def start(self) -> None:
        self.engine = fresh_engine(self.loss_policy)
        self.log: list[TradingCommand] = []
        self.ts = 0
        self.client_id = 0
        for owner in OWNERS:
            self.send(Deposit(ts=0, owner=owner, subaccount=0, amount=50_000 * 10**6))

    def send(self, cmd: TradingCommand) -> list:
        self.engine.advance(cmd.ts)  # time's own effects first, so a refusal can be judged
        before = self.engine.state_digest()
        applied = self.engine.apply(cmd)
        self.log.append(cmd)
        for kind in {type(e).__name__ + getattr(e, "code", "") for e in applied.events}:
            event(kind)
        if applied.events and isinstance(applied.events[0], Rejected):
            assert len(applied.events) == 1 and not applied.touched
            assert self.engine.state_digest() == before, "a rejection changed the state"
        return applied.events

    @rule(seed=st.integers(0, 2**64 - 1), length=st.integers(200, 800))
    def burst(self, seed: int, length: int) -> None:
        rng = random.Random(seed)
        for _ in range(length):
            getattr(self, "do_" + rng.choice(OPS))(rng)
            self.check_collateral_is_conserved()

    # -- commands --------------------------------------------------------------------------

    def draw_account(self, rng: random.Random) -> tuple[int, int]:
        return rng.choice(OWNERS), rng.choice(SUBS)

    def advance(self, rng: random.Random, most: int) -> int:
        self.ts += rng.randint(0, most)
        return self.ts

    def do_deposit(self, rng: random.Random) -> None:
        owner, sub = self.draw_account(rng)
        usdc = rng.randint(1, 20_000)
        self.send(
            Deposit(ts=self.advance(rng, 3), owner=owner, subaccount=sub, amount=usdc * 10**6)
        )

    def do_withdraw(self, rng: random.Random) -> None:
        owner, sub = self.draw_account(rng)
        amount = rng.randint(1, 20_000) * 10**6
        events = self.send(
            Withdraw(ts=self.advance(rng, 3), owner=owner, subaccount=sub, amount=amount)
        )
        if not isinstance(events[0], Rejected):
            self.assert_initial_margin(owner, sub)

    def do_transfer(self, rng: random.Random) -> None:
        (owner, sub), (to, to_sub) = self.draw_account(rng), self.draw_account(rng)
        amount = rng.randint(1, 5_000) * 10**6
        cmd = Transfer(
            ts=self.ts,
            owner=owner,
            subaccount=sub,
            to_owner=to,
            to_subaccount=to_sub,
            amount=amount,
        )
        if not isinstance(self.send(cmd)[0], Rejected):
            self.assert_initial_margin(owner, sub)

    def do_place(self, rng: random.Random) -> None:
        owner, sub = self.draw_account(rng)
        market = rng.choice(["BTC-USD", "ETH-USD"])
        mark = self.engine.markets[market].price
        buy = rng.random() < 0.5
        offset = rng.randint(-60, 60)
        kind = rng.choice([OrderKind.LIMIT] * 6 + [OrderKind.MARKET, OrderKind.STOP])
        tif = rng.choice(list(TimeInForce))
        ts = self.advance(rng, 5)
        extra: dict = {}
        if kind is OrderKind.MARKET:
            tif = TimeInForce.IOC
        if tif is TimeInForce.GTT:
            extra["expires_at"] = ts + 1 + rng.randint(0, 40)
        if kind is OrderKind.STOP:
            extra["trigger_price"] = max(1, mark + (offset if buy else -offset))
        margin = rng.randint(0, 3_000)
        if sub and margin and kind is not OrderKind.STOP:
            extra.update(isolated_margin=margin * 10**6, margin_source=0)
        position_before = self.size(owner, sub, market)
        self.client_id += 1
        cmd = PlaceOrder(
            ts=ts,
            owner=owner,
            subaccount=sub,
            market=market,
            client_id=self.client_id,
            side=Side.BUY if buy else Side.SELL,
            price=max(1, mark + offset),
            size=rng.randint(1, 400),
            kind=kind,
            tif=tif,
            reduce_only=rng.random() < 0.5 and position_before != 0,
            **extra,
        )
        events = self.send(cmd)
        if isinstance(events[0], Rejected) or kind is OrderKind.STOP:
            return
        after = self.size(owner, sub, market)
        if cmd.reduce_only:
            assert abs(after) <= abs(position_before), "a reduce-only order increased a position"
        shrank = abs(after) < abs(position_before) and after * position_before >= 0
        if after != position_before and not shrank:
            self.assert_initial_margin(owner, sub)

    def do_cancel(self, rng: random.Random) -> None:
        owner, sub = self.draw_account(rng)
        account = self.engine.subaccounts.get((owner, sub))
        open_ids = sorted(account.orders) if account else []
        client_id = rng.choice(open_ids) if open_ids else 10**6
        self.send(CancelOrder(ts=self.ts, owner=owner, subaccount=sub, client_id=client_id))

    def do_cancel_all(self, rng: random.Random) -> None:
        owner = rng.choice(OWNERS)
        market = rng.choice([None, "BTC-USD", "ETH-USD"])
        self.send(CancelAll(ts=self.ts, owner=owner, market=market))

    def do_crash(self, rng: random.Random) -> None:
        market = rng.choice(["BTC-USD", "ETH-USD"])
        mark = self.engine.markets[market].price
        price = mark * (91 if rng.random() < 0.6 else 109) // 100
        self.send(report(market, price, self.ts + rng.randint(1_000, 3_000)))
        self.ts = self.engine.last_ts

    def do_price(self, rng: random.Random) -> None:
        market = rng.choice(["BTC-USD", "ETH-USD"])
        price = max(1, self.engine.markets[market].price + rng.randint(-800, 800))
        self.send(report(market, price, self.ts + rng.randint(1_000, 3_000)))
        self.ts = self.engine.last_ts

    @rule()
    def snapshot_and_restore(self) -> None:
        digest = self.engine.state_digest()
        self.engine = Engine.restore(self.engine.snapshot())
        assert self.engine.state_digest() == digest

    def teardown(self) -> None:
        """Replaying the (encoded and decoded) command log reproduces the digest."""
        encoder, decoder = LOG_CODEC
        replayed = fresh_engine(self.loss_policy)
        replayed.replay(decoder.decode(encoder.encode(self.log)))
        assert replayed.state_digest() == self.engine.state_digest()
        event(f"commands per example: {len(self.log) // 1000 * 1000}+")

    # -- helpers and invariants ------------------------------------------------------------

    def size(self, owner: int, sub: int, market: str) -> int:
        account = self.engine.subaccounts.get((owner, sub))
        return account.size(market) if account else 0

    def assert_initial_margin(self, owner: int, sub: int) -> None:
        h = health(self.engine.subaccounts[(owner, sub)], self.engine.markets)
        assert h.value >= h.initial, f"({owner:#x}, {sub}) accepted below initial margin: {h}"

    def check_collateral_is_conserved(self) -> None:
        eng = self.engine
        total = sum(s.collateral for s in eng.subaccounts.values())
        total += eng.fee_collateral + eng.funding_pool
        total += sum(fund.balance for fund in eng.insurance.values())
        assert total == eng.deposited - eng.withdrawn

    @invariant()
    def no_bad_debt_is_left_unpaid(self) -> None:
        """A flat subaccount never holds negative collateral: closing fills keep TV ≥ 0,
        liquidation fills at or beyond bankruptcy are made whole by the insurance fund,
        deleveraging trades at the bankruptcy price, and a socialised loss is charged to
        open positions (each with its event)."""
        for sub in self.engine.subaccounts.values():
            if not sub.positions:
                assert sub.collateral >= 0, (sub.key, sub.collateral)

    @invariant()
    def longs_equal_shorts(self) -> None:
        for mid, market in self.engine.markets.items():
            sizes = [s.size(mid) for s in self.engine.subaccounts.values()]
            longs = sum(x for x in sizes if x > 0)
            assert longs == -sum(x for x in sizes if x < 0) == market.open_interest

    @invariant()
    def books_are_not_crossed(self) -> None:
        for market in self.engine.markets.values():
            assert not market.book.is_crossed()

    @invariant()
    def isolated_subaccounts_hold_one_market(self) -> None:
        for sub in self.engine.subaccounts.values():
            if sub.is_isolated:
                assert len(sub.positions.keys() | sub.exposure.keys()) <= 1

    @invariant()
    def every_subaccount_is_found_by_its_key(self) -> None:
        keys = list(self.engine.subaccounts)
        assert len(set(keys)) == len(keys)
        assert all(self.engine.subaccounts[key].key == key for key in keys)

    @invariant()
    def open_orders_are_indexed_consistently(self) -> None:
        resting = {}
        for market in self.engine.markets.values():
            resting.update(market.book.orders)
            for order in market.book.orders.values():
                assert order.remaining > 0 and order.order_id not in market.triggers
        listed = [o for s in self.engine.subaccounts.values() for o in s.orders.values()]
        assert {o.order_id for o in listed if o.order_id in resting} == resting.keys()


Exchange.TestCase.settings = settings(
    max_examples=10,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
TestExchange = Exchange.TestCase


class SocializedLossExchange(Exchange):
    """The same invariants when shortfalls are socialised through funding entries."""

    loss_policy = 2


SocializedLossExchange.TestCase.settings = Exchange.TestCase.settings
TestSocializedLossExchange = SocializedLossExchange.TestCase
