"""The emergency committee: verified M-of-N approvals, only tightening, bounded, expiring."""

import msgspec
import pytest

from isoperp.commands.governance import (
    Approval,
    CommitteeAct,
    EmergencyStatus,
    EmergencyTighten,
    Propose,
    SetCommittee,
    SetOracleSigners,
    SetParameter,
    SuspendOracleSigner,
)
from isoperp.events.governance import CommitteeActed, EmergencyHoldExpired, ParameterChanged
from isoperp.governance.keys import sorted_keyset

HOUR = 3_600_000
DAY = 24 * HOUR
PAUSE_BTC = EmergencyStatus(market_id="BTC-USD", status="paused", duration_ms=DAY)
IMF = "market.BTC-USD.initial_margin_ppm"
MMF = "market.BTC-USD.maintenance_margin_ppm"
CAP = "market.BTC-USD.open_interest_cap_steps"
G12 = ["guardian-1", "guardian-2"]


def _act(gov, cmd: CommitteeAct):
    return gov.ok(lambda ts: cmd)


def _refuse(gov, code, cmd: CommitteeAct):
    return gov.refused(code, lambda ts: cmd)


def test_two_of_three_pause_at_once_and_the_event_names_them(gov):
    gov.wait(1)
    acted, changed = _act(gov, gov.committee(["guardian-3", "guardian-1"], PAUSE_BTC))
    assert isinstance(acted, CommitteeActed)
    assert acted.signers == sorted_keyset([gov.key("guardian-1"), gov.key("guardian-3")])
    assert changed == ParameterChanged(
        name="market.BTC-USD.status", old="active", new="paused", by="committee:0"
    )
    assert gov.state.registry.market_spec("BTC-USD").status == "paused"


def test_bad_approvals_are_refused(gov):
    gov.wait(1)
    _refuse(gov, "too_few_signatures", gov.committee(["guardian-1"], PAUSE_BTC))
    _refuse(gov, "duplicate_signer", gov.committee(["guardian-1", "guardian-1"], PAUSE_BTC))
    _refuse(gov, "unknown_signer", gov.committee(["guardian-1", "mallory"], PAUSE_BTC))
    good = gov.committee(G12, PAUSE_BTC)
    forged = msgspec.structs.replace(
        good,
        approvals=(good.approvals[0], Approval(signer=good.approvals[1].signer, r="0x1", s="0x1")),
    )
    _refuse(gov, "invalid_signature", forged)
    other_action = msgspec.structs.replace(
        good, action=EmergencyStatus(market_id="ETH-USD", status="paused", duration_ms=DAY)
    )
    _refuse(gov, "invalid_signature", other_action)  # approvals sign one action only
    longer = msgspec.structs.replace(good, expiry_ts=good.expiry_ts + 1)
    _refuse(gov, "invalid_signature", longer)  # ... and one expiry


def test_approvals_cannot_be_replayed_or_used_after_expiry(gov):
    gov.wait(1)
    cmd = gov.committee(G12, EmergencyTighten(name=IMF, value=60_000))
    late = gov.committee(G12, EmergencyTighten(name=IMF, value=60_000), expiry=gov.ts + 10)
    _act(gov, cmd)
    _refuse(gov, "bad_nonce", msgspec.structs.replace(cmd, ts=gov.ts))  # replay
    renumbered = msgspec.structs.replace(cmd, ts=gov.ts, nonce=1)
    _refuse(gov, "invalid_signature", renumbered)  # the nonce is signed
    gov.wait(11)
    expired = msgspec.structs.replace(late, ts=gov.ts, nonce=1)
    _refuse(gov, "approval_expired", expired)


def test_the_committee_only_tightens(gov):
    gov.wait(1)
    _act(gov, gov.committee(G12, PAUSE_BTC))
    for status in ("active", "final_settlement"):
        action = EmergencyStatus(market_id="BTC-USD", status=status, duration_ms=DAY)
        _refuse(gov, "not_allowed", gov.committee(G12, action))
    reduce_only = EmergencyStatus(market_id="BTC-USD", status="reduce_only", duration_ms=DAY)
    _refuse(gov, "not_tightening", gov.committee(G12, reduce_only))
    _refuse(gov, "not_tightening", gov.committee(G12, EmergencyTighten(name=IMF, value=40_000)))
    _refuse(gov, "not_tightening", gov.committee(G12, EmergencyTighten(name=CAP, value=10**9)))
    for name in ("market.BTC-USD.taker_fee_ppm", "committee.threshold", "oracle.BTC-USD.quorum"):
        _refuse(gov, "not_allowed", gov.committee(G12, EmergencyTighten(name=name, value=3)))
    _refuse(gov, "unknown_parameter", gov.committee(G12, EmergencyTighten(name="x.y", value=3)))
    too_long = EmergencyStatus(market_id="ETH-USD", status="paused", duration_ms=11 * DAY)
    _refuse(gov, "hold_too_long", gov.committee(G12, too_long))


def test_margin_raises_are_bounded_and_cooled_down(gov):
    gov.wait(1)
    _refuse(gov, "step_too_large", gov.committee(G12, EmergencyTighten(name=IMF, value=100_001)))
    _act(gov, gov.committee(G12, EmergencyTighten(name=IMF, value=100_000)))  # +5 points
    _refuse(gov, "cooldown_active", gov.committee(G12, EmergencyTighten(name=IMF, value=110_000)))
    _act(gov, gov.committee(G12, EmergencyTighten(name=MMF, value=60_000)))  # its own cooldown
    gov.wait(6 * HOUR - 1)
    _refuse(gov, "cooldown_active", gov.committee(G12, EmergencyTighten(name=IMF, value=110_000)))
    gov.wait(1)
    _act(gov, gov.committee(G12, EmergencyTighten(name=IMF, value=110_000)))
    # MMF may not overtake IMF: the market's own consistency rules still apply.
    gov.wait(6 * HOUR)
    _refuse(gov, "inconsistent", gov.committee(G12, EmergencyTighten(name=MMF, value=110_000)))


def test_cap_cuts_are_bounded_relative_to_the_current_cap(gov):
    gov.wait(1)
    cap = gov.state.registry.get_int(CAP)
    too_deep = EmergencyTighten(name=CAP, value=cap // 2 - 1)
    _refuse(gov, "step_too_large", gov.committee(G12, too_deep))
    _act(gov, gov.committee(G12, EmergencyTighten(name=CAP, value=cap // 2)))
    assert gov.state.registry.market_spec("BTC-USD").open_interest_cap_steps == cap // 2


def test_a_hold_expires_on_time_and_restores_the_status_before_it(gov):
    gov.wait(1)
    reduce_only = EmergencyStatus(market_id="BTC-USD", status="reduce_only", duration_ms=DAY)
    _act(gov, gov.committee(G12, reduce_only))
    gov.wait(HOUR)
    _act(gov, gov.committee(G12, PAUSE_BTC))  # the new hold runs a day from now
    gov.wait(DAY - 1)
    assert gov.tick() == []
    assert gov.state.registry.market_spec("BTC-USD").status == "paused"
    gov.wait(1)
    changed, expired = gov.tick()
    assert expired == EmergencyHoldExpired(market_id="BTC-USD", restored_status="active")
    assert changed.by == "expiry" and changed.new == "active"
    assert gov.state.holds == {}


def test_governance_setting_the_status_replaces_the_hold(gov):
    gov.wait(1)
    pause = EmergencyStatus(market_id="BTC-USD", status="paused", duration_ms=10 * DAY)
    _act(gov, gov.committee(G12, pause))
    gov.enact("alice", [SetParameter(name="market.BTC-USD.status", value="paused")])
    assert gov.state.holds == {}  # governance extended the pause indefinitely
    gov.wait(30 * DAY)
    assert gov.tick() == []
    assert gov.state.registry.market_spec("BTC-USD").status == "paused"


def test_suspending_a_signer_keeps_the_quorum_and_re_adding_needs_the_long_timelock(gov):
    gov.wait(1)
    name = "oracle.BTC-USD.signers"
    signers = gov.state.registry.get_keys(name)
    suspend = SuspendOracleSigner(market_id="BTC-USD", signer=gov.key("oracle-1"))
    _act(gov, gov.committee(G12, suspend))
    assert gov.key("oracle-1") not in gov.state.registry.get_keys(name)
    _refuse(gov, "not_a_signer", gov.committee(G12, suspend))
    last = SuspendOracleSigner(market_id="BTC-USD", signer=gov.key("oracle-2"))
    _refuse(gov, "quorum_would_break", gov.committee(G12, last))
    restore = SetOracleSigners(market_id="BTC-USD", signers=signers, quorum=2)
    gov.refused(
        "executor_insufficient",
        Propose,
        account=gov.key("alice"),
        executor="short",
        actions=(restore,),
    )
    pid = gov.propose("alice", [restore], executor="long")
    eta = gov.pass_and_queue(pid)
    assert eta - gov.state.proposals[pid - 1].created_ts == (1 + 10 + 7) * DAY + 1
    gov.at(eta).execute(pid)
    assert gov.state.registry.get_keys(name) == signers


def test_the_committee_changes_only_through_the_long_timelock(gov):
    new_members = sorted_keyset([gov.key(a) for a in ("guardian-1", "guardian-2", "guardian-4")])
    change = SetCommittee(members=new_members, threshold=2)
    gov.wait(1).refused(
        "executor_insufficient",
        Propose,
        account=gov.key("alice"),
        executor="short",
        actions=(change,),
    )
    gov.enact("alice", [change], executor="long")
    assert gov.state.registry.get_keys("committee.members") == new_members
    gov.wait(1)
    _act(gov, gov.committee(["guardian-4", "guardian-1"], PAUSE_BTC))
    eth = EmergencyStatus(market_id="ETH-USD", status="paused", duration_ms=DAY)
    _refuse(gov, "unknown_signer", gov.committee(["guardian-3", "guardian-1"], eth))


@pytest.mark.parametrize("threshold", [0, 4])
def test_an_impossible_committee_threshold_is_refused(gov, threshold):
    members = gov.state.registry.get_keys("committee.members")
    code = "out_of_bounds" if threshold == 0 else "inconsistent"
    gov.wait(1).refused(
        code,
        Propose,
        account=gov.key("alice"),
        executor="long",
        actions=(SetCommittee(members=members, threshold=threshold),),
    )
