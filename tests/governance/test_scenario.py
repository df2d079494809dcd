"""A crash: the committee raises margins and pauses at once; governance unpauses only after
its delays. (Positions reacting to it are the engine's part, tested at integration; here the
engine's view is what ``registry.market_spec`` returns.)"""

from isoperp.commands.governance import (
    EmergencyStatus,
    EmergencyTighten,
    ExecuteProposal,
    SetParameter,
)
from isoperp.governance import ProposalState

HOUR = 3_600_000
DAY = 24 * HOUR
G = ["guardian-1", "guardian-3"]


def test_fast_to_pause_slow_to_unpause(gov):
    crash = gov.wait(HOUR).ts
    view = gov.state.registry.market_spec
    gov.ok(
        lambda ts: gov.committee(
            G, EmergencyTighten(name="market.BTC-USD.initial_margin_ppm", value=100_000)
        )
    )
    gov.ok(
        lambda ts: gov.committee(
            G, EmergencyTighten(name="market.BTC-USD.maintenance_margin_ppm", value=60_000)
        )
    )
    gov.ok(
        lambda ts: gov.committee(
            G, EmergencyStatus(market_id="BTC-USD", status="paused", duration_ms=10 * DAY)
        )
    )
    spec = view("BTC-USD")
    assert (spec.status, spec.initial_margin_ppm, spec.maintenance_margin_ppm) == (
        "paused",
        100_000,
        60_000,
    )
    assert view("ETH-USD").status == "active"  # the other market trades on

    pid = gov.wait(HOUR).propose(
        "alice", [SetParameter(name="market.BTC-USD.status", value="active")]
    )
    gov.to_vote(pid).vote("alice", pid)
    eta = gov.to_vote_end(pid).queue(pid)[0].eta_ts
    payload = gov.state.proposals[pid - 1].payload_hash
    gov.at(eta - 1).refused(
        "timelock_not_finished",
        ExecuteProposal,
        account=gov.key("bob"),
        proposal_id=pid,
        payload_hash=payload,
    )
    assert view("BTC-USD").status == "paused"
    gov.at(eta).execute(pid)
    assert view("BTC-USD").status == "active"
    assert gov.state_of(pid) is ProposalState.EXECUTED
    # voting delay (1 d) + short voting period (4 d) + short timelock (2 d), after the proposal
    assert eta - crash >= 7 * DAY
    assert (
        view("BTC-USD").initial_margin_ppm == 100_000
    )  # the raise stays until governance lowers it
