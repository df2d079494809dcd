"""A crash through the whole exchange: the committee raises margins and pauses BTC at once,
positions and orders react, and only governance, after its delays, unpauses."""

from decimal import Decimal

import msgspec

from isoperp.accounts import health
from isoperp.commands.governance import (
    CastVote,
    CommitteeAct,
    EmergencyStatus,
    EmergencyTighten,
    ExecuteProposal,
    FinalSettleMarket,
    Propose,
    QueueProposal,
    SetParameter,
    VoteSupport,
)
from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import CancelOrder, Deposit, TimeInForce, Withdraw
from isoperp.engine import Engine
from isoperp.engine.prices import asset_id
from isoperp.events import Rejected
from isoperp.events.funding import FundingPaid
from isoperp.events.trading import OrderCanceled, PositionSettled
from isoperp.governance import approve
from isoperp.governance.simulate import alias_key, alias_private_key, genesis_config
from isoperp.oracle import sign_price
from tests.engine.helpers import kinds, order, rejection

HOUR, DAY = 3_600_000, 86_400_000
TRADER, MAKER = 0x7A11, 0x3A4E
USDC = 10**6


class Exchange:
    """The engine on the rehearsal genesis (aliases for keys), with a moving clock."""

    def __init__(self) -> None:
        self.engine = Engine([], genesis_config=genesis_config("default"))
        self.ts = self.engine.last_ts

    def at(self, ts: int) -> "Exchange":
        self.ts = ts
        return self

    def apply(self, cmd):  # type: ignore[no-untyped-def]
        """The command's own events; time's effects up to its timestamp happen first."""
        self.engine.advance(cmd.ts)
        return self.engine.apply(cmd).events

    def ok(self, cmd):  # type: ignore[no-untyped-def]
        events = self.apply(cmd)
        assert not any(isinstance(e, Rejected) for e in events), events
        return events

    def price(self, market: str, price: int) -> None:
        """A report signed by two of the three oracle signers (quorum 2), sorted by key."""
        signers = sorted(("oracle-1", "oracle-2"), key=alias_key)
        signed = tuple(
            sign_price(alias_private_key(s), asset_id(market), price, self.ts // 1000)
            for s in signers
        )
        signed = tuple(sorted(signed, key=lambda p: p.signer))
        self.ok(PriceReport(ts=self.ts, market=market, price=price, signed_prices=signed))

    def committee(self, action):  # type: ignore[no-untyped-def]
        nonce, expiry = self.engine.gov.committee_nonce, self.ts + HOUR
        approvals = tuple(
            approve(alias_private_key(g), action, nonce, expiry)
            for g in ("guardian-1", "guardian-3")
        )
        return self.ok(
            CommitteeAct(
                ts=self.ts, action=action, nonce=nonce, expiry_ts=expiry, approvals=approvals
            )
        )


def test_crash_committee_tightens_at_once_governance_unpauses_after_its_delay() -> None:
    x = Exchange()
    t0 = x.ts + 1_000
    x.at(t0).price("BTC-USD", 50_000)
    x.price("ETH-USD", 30_000)
    spec = x.engine.markets["BTC-USD"].spec
    assert (spec.initial_margin_ppm, spec.maintenance_margin_ppm) == (50_000, 30_000)
    x.ok(Deposit(ts=t0, owner=TRADER, subaccount=0, amount=5_000 * USDC))
    x.ok(Deposit(ts=t0, owner=MAKER, subaccount=0, amount=10**6 * USDC))
    step = int(1 / Decimal(spec.step_size))  # steps per BTC
    x.ok(order(MAKER, "sell", 50_000, step, ts=t0))
    x.ok(order(TRADER, "buy", 50_000, step // 2, ts=t0, cid=1, tif=TimeInForce.IOC))  # 0.5 BTC
    x.ok(order(TRADER, "buy", 40_000, step // 10, ts=t0, cid=2))  # a resting bid
    trader = x.engine.subaccounts[(TRADER, 0)]

    # The crash begins: BTC −8%. The committee acts at once: margins up, market paused.
    crash = t0 + 60_000
    x.at(crash).price("BTC-USD", 46_000)
    before = health(trader, x.engine.markets)
    x.committee(EmergencyTighten(name="market.BTC-USD.initial_margin_ppm", value=100_000))
    x.committee(EmergencyTighten(name="market.BTC-USD.maintenance_margin_ppm", value=60_000))
    x.committee(EmergencyStatus(market_id="BTC-USD", status="paused", duration_ms=10 * DAY))
    after = health(trader, x.engine.markets)
    assert after.value == before.value
    assert (after.initial, after.maintenance) == (2 * before.initial, 2 * before.maintenance)

    # Positions and orders behave accordingly: no BTC trading, cancels still work, ETH trades
    # on, and collateral the old margins would have freed is now held.
    assert rejection(x.apply(order(TRADER, "sell", 46_000, 1, ts=crash, cid=3))) == (
        "market_not_active"
    )
    assert kinds(x.apply(CancelOrder(ts=crash, owner=TRADER, subaccount=0, client_id=2))) == [
        "OrderCanceled"
    ]
    assert kinds(x.ok(order(TRADER, "buy", 29_000, 1, ts=crash, cid=4, market="ETH-USD")))[-1] == (
        "OrderRested"
    )
    # Half of what the old margins left free can no longer be withdrawn.
    half_free = (before.value - before.initial) // 2
    withdraw = Withdraw(ts=crash, owner=TRADER, subaccount=0, amount=half_free)
    assert rejection(x.apply(withdraw)) == "insufficient_margin"

    # Governance unpauses, but only through the short timelock: proposal, voting delay,
    # voting period, queue, delay.
    alice = alias_key("alice")
    unpause = (SetParameter(name="market.BTC-USD.status", value="active"),)
    x.ok(Propose(ts=crash, account=alice, executor="short", actions=unpause))
    proposal = x.engine.gov.proposals[-1]
    x.at(proposal.snapshot_ts + 1).ok(
        CastVote(ts=x.ts, account=alice, proposal_id=proposal.proposal_id, support=VoteSupport.FOR)
    )
    x.at(proposal.vote_end_ts + 1).ok(
        QueueProposal(ts=x.ts, account=alice, proposal_id=proposal.proposal_id)
    )
    eta = x.engine.gov.proposals[-1].eta_ts
    execute = ExecuteProposal(
        ts=eta - 1,
        account=alice,
        proposal_id=proposal.proposal_id,
        payload_hash=proposal.payload_hash,
    )
    assert rejection(x.at(eta - 1).apply(execute)) == "timelock_not_finished"
    assert x.engine.markets["BTC-USD"].spec.status == "paused"
    x.at(eta).ok(msgspec.structs.replace(execute, ts=eta))
    assert x.engine.markets["BTC-USD"].spec.status == "active"
    assert eta - crash >= 7 * DAY  # 1 d voting delay + 4 d voting + 2 d timelock
    # The raised margins stay until governance lowers them; trading resumes at a fresh price.
    assert x.engine.markets["BTC-USD"].spec.initial_margin_ppm == 100_000
    # (A stale price halts only what adds risk: the long may still sell down.)
    assert rejection(x.apply(order(TRADER, "buy", 40_000, 1, ts=eta, cid=5))) == "oracle_stale"
    assert kinds(x.ok(order(TRADER, "sell", 52_000, 1, ts=eta, cid=6)))[-1] == "OrderRested"
    x.at(eta + 1_000).price("BTC-USD", 47_000)
    assert kinds(x.ok(order(TRADER, "buy", 40_000, 1, ts=x.ts, cid=5)))[-1] == "OrderRested"


def test_final_settlement_closes_every_position_at_the_mark() -> None:
    x = Exchange()
    t0 = x.ts + 1_000
    x.at(t0).price("ETH-USD", 30_000)
    x.price("BTC-USD", 50_000)
    for owner in (TRADER, MAKER):
        x.ok(Deposit(ts=t0, owner=owner, subaccount=0, amount=100_000 * USDC))
    x.ok(order(MAKER, "sell", 30_000, 5_000, ts=t0, market="ETH-USD"))
    x.ok(order(TRADER, "buy", 30_000, 3_000, ts=t0, cid=1, market="ETH-USD", tif=TimeInForce.IOC))
    x.ok(order(TRADER, "buy", 29_000, 100, ts=t0, cid=2, market="ETH-USD"))
    collateral_before = {k: s.collateral for k, s in x.engine.subaccounts.items()}

    alice = alias_key("alice")
    settle = (FinalSettleMarket(market_id="ETH-USD"),)
    x.ok(Propose(ts=t0, account=alice, executor="short", actions=settle))
    proposal = x.engine.gov.proposals[-1]
    pid = proposal.proposal_id
    x.at(proposal.snapshot_ts + 1).ok(
        CastVote(ts=x.ts, account=alice, proposal_id=pid, support=VoteSupport.FOR)
    )
    x.at(proposal.vote_end_ts + 1).ok(QueueProposal(ts=x.ts, account=alice, proposal_id=pid))
    eta = x.engine.gov.proposals[-1].eta_ts
    events = x.at(eta).ok(
        ExecuteProposal(ts=eta, account=alice, proposal_id=pid, payload_hash=proposal.payload_hash)
    )
    settled = [e for e in events if isinstance(e, PositionSettled)]
    assert sorted((e.owner, e.size, e.price) for e in settled) == [
        (MAKER, -3_000, 30_000),
        (TRADER, 3_000, 30_000),
    ]
    assert sum(e.amount for e in settled) == 0
    funding = {e.owner: e.amount for e in events if isinstance(e, FundingPaid)}
    assert funding[TRADER] < 0 < funding[MAKER]  # a week of interest: longs paid shorts
    for e in settled:
        key = (e.owner, 0)
        expected = collateral_before[key] + funding[e.owner] + e.amount
        assert x.engine.subaccounts[key].collateral == expected
    canceled = {e.order_id for e in events if isinstance(e, OrderCanceled)}
    assert len(canceled) == 2 and not x.engine.markets["ETH-USD"].book.orders
    assert x.engine.markets["ETH-USD"].open_interest == 0
    assert rejection(x.apply(order(TRADER, "buy", 30_000, 1, ts=eta, cid=3, market="ETH-USD"))) == (
        "market_not_active"
    )


def test_the_governance_clock_reads_as_the_engines_after_quiet_commands() -> None:
    """Commands with no time effect leave the governance clock behind inside the engine;
    read from outside (and in a snapshot) it is the engine's."""
    ex = Exchange()
    start = ex.ts
    for step in (5, 7, 11):
        ex.at(start + step).ok(Deposit(ts=start + step, owner=TRADER, subaccount=0, amount=USDC))
    assert ex.engine.gov.now == ex.engine.last_ts == start + 11
    restored = Engine.restore(ex.engine.snapshot())
    assert restored.gov.now == start + 11
    assert restored.state_digest() == ex.engine.state_digest()
