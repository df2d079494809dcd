"""Proposal actions: listing, settlement, delisting, executor delays, checks at execution."""

import msgspec
import pytest

from isoperp.commands.governance import (
    DelistMarket,
    EmergencyTighten,
    ExecuteProposal,
    FinalSettleMarket,
    ListMarket,
    Propose,
    SetExecutorDelay,
    SetParameter,
)
from isoperp.events.governance import ExecutorDelayChanged, MarketDelisted, MarketListed

DAY = 86_400_000
IMF = "market.BTC-USD.initial_margin_ppm"
MMF = "market.BTC-USD.maintenance_margin_ppm"


def _propose_refused(gov, code, actions, executor="short"):
    return gov.refused(
        code, Propose, account=gov.key("alice"), executor=executor, actions=tuple(actions)
    )


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (SetParameter(name="market.BTC-USD.leverage", value=5), "unknown_parameter"),
        (SetParameter(name="market.DOGE-USD.initial_margin_ppm", value=5), "unknown_parameter"),
        (SetParameter(name=IMF, value=2_000_000), "out_of_bounds"),
        (SetParameter(name=IMF, value="high"), "wrong_type"),
        (SetParameter(name="market.BTC-USD.tick_size", value="2"), "fixed_parameter"),
        (SetParameter(name="market.BTC-USD.status", value="final_settlement"), "use_final_settle"),
        (SetParameter(name="market.BTC-USD.status", value="closed"), "wrong_type"),
        (DelistMarket(market_id="BTC-USD"), "not_settled"),
        (FinalSettleMarket(market_id="SOL-USD"), "unknown_market"),
        (SetExecutorDelay(executor="short", delay_ms=8 * DAY), "delay_out_of_bounds"),
        (SetExecutorDelay(executor="medium", delay_ms=DAY), "unknown_executor"),
    ],
)
def test_bad_actions_are_refused_at_creation(gov, action, code):
    _propose_refused(gov.wait(1), code, [action], executor="long")


def test_loosening_needs_the_long_timelock(gov):
    gov.wait(1)
    _propose_refused(gov, "executor_insufficient", [SetParameter(name=IMF, value=40_000)])
    _propose_refused(
        gov, "executor_insufficient", [SetExecutorDelay(executor="short", delay_ms=DAY)]
    )
    gov.propose("alice", [SetParameter(name=IMF, value=40_000)], executor="long")


def test_executor_delay_changes_within_bounds_and_governs_later_queues(gov):
    gov.wait(1)
    pid = gov.propose("alice", [SetExecutorDelay(executor="short", delay_ms=3 * DAY)], "long")
    events = gov.at(gov.pass_and_queue(pid)).execute(pid)
    changed = ExecutorDelayChanged(
        executor="short", old_ms=2 * DAY, new_ms=3 * DAY, by=f"proposal:{pid}"
    )
    assert changed in events
    assert gov.state.executors["short"].delay_ms == 3 * DAY
    later = gov.wait(1).propose("alice", [SetParameter(name=IMF, value=60_000)])
    eta = gov.pass_and_queue(later)
    assert eta == gov.ts + 3 * DAY


def test_listing_settlement_and_delisting(gov):
    gov.wait(1)
    btc = gov.state.registry.market_spec("BTC-USD")
    sol = msgspec.structs.replace(btc, market_id="SOL-USD", base_asset="SOL")
    signers = gov.state.registry.get_keys("oracle.BTC-USD.signers")
    listing = ListMarket(spec=sol, oracle_signers=signers, oracle_quorum=2)
    _propose_refused(gov, "executor_insufficient", [listing])
    tune = SetParameter(name="market.SOL-USD.taker_fee_ppm", value=700)
    pid = gov.propose("alice", [listing, tune], executor="long")
    eta = gov.pass_and_queue(pid)
    events = gov.at(eta).execute(pid)
    assert MarketListed(market_id="SOL-USD", by=f"proposal:{pid}") in events
    assert gov.state.registry.market_spec("SOL-USD").taker_fee_ppm == 700
    gov.wait(1)
    settle = gov.propose("bob", [FinalSettleMarket(market_id="SOL-USD")])
    gov.at(gov.pass_and_queue(settle)).execute(settle)
    assert gov.state.registry.market_spec("SOL-USD").status == "final_settlement"
    _propose_refused(
        gov, "market_settled", [SetParameter(name="market.SOL-USD.status", value="active")]
    )
    delist = gov.propose("bob", [DelistMarket(market_id="SOL-USD")])
    events = gov.at(gov.pass_and_queue(delist)).execute(delist)
    assert events[-1] == MarketDelisted(market_id="SOL-USD", by=f"proposal:{delist}")
    assert not gov.state.registry.has_market("SOL-USD")
    assert not any(".SOL-USD." in name for name in gov.state.registry.values)


def test_values_are_checked_again_at_execution(gov):
    """Valid when proposed, inconsistent by execution time: refused, nothing changes."""
    gov.wait(1)
    pid = gov.propose("alice", [SetParameter(name=IMF, value=40_000)], executor="long")
    eta = gov.pass_and_queue(pid)
    raise_mmf = EmergencyTighten(name=MMF, value=45_000)  # the committee acts meanwhile
    gov.ok(lambda ts: gov.committee(["guardian-1", "guardian-2"], raise_mmf))
    payload = gov.state.proposals[pid - 1].payload_hash
    rejected = gov.at(eta).refused(
        "inconsistent",
        ExecuteProposal,
        account=gov.key("bob"),
        proposal_id=pid,
        payload_hash=payload,
    )
    assert rejected.message.startswith("at execution:")
    assert gov.state.registry.get_int(IMF) == 50_000


def test_the_executor_is_checked_again_at_execution(gov):
    """Tightening on the short timelock when proposed, loosening by execution time."""
    gov.wait(1)
    pid = gov.propose("alice", [SetParameter(name=IMF, value=60_000)])
    eta = gov.pass_and_queue(pid)
    gov.ok(
        lambda ts: gov.committee(
            ["guardian-1", "guardian-2"], EmergencyTighten(name=IMF, value=100_000)
        )
    )
    payload = gov.state.proposals[pid - 1].payload_hash
    gov.at(eta).refused(
        "executor_insufficient",
        ExecuteProposal,
        account=gov.key("bob"),
        proposal_id=pid,
        payload_hash=payload,
    )
    assert gov.state.registry.get_int(IMF) == 100_000
