"""The rehearsal script shown in docs/governance.md and printed by ``isoperp gov example``.

A crash: the committee raises BTC margins and pauses BTC at once (fast to pause), makes ETH
reduce-only for an hour (the hold expires by itself), and cannot unpause; governance
unpauses BTC only after voting delay, voting period and timelock (slow to unpause). Along the
way the rehearsal catches a typo'd proposal (MMF 500000 instead of 50000, the Compound 62
kind of bug), a duplicate, a loosening change on the wrong executor, and votes by tokens
moved after the snapshot.
"""

from typing import Any

MARKET = "market.BTC-USD."


def _committee(signers: list[str], action: dict[str, Any], expect: str) -> dict[str, Any]:
    return {"op": "committee", "signers": signers, "action": action, "expect": expect}


def _set(name: str, value: int | str) -> list[dict[str, Any]]:
    return [{"type": "SetParameter", "name": name, "value": value}]


UNPAUSE = _set(MARKET + "status", "active")
G12, G13, G23 = (
    ["guardian-1", "guardian-2"],
    ["guardian-1", "guardian-3"],
    ["guardian-2", "guardian-3"],
)

EXAMPLE_SCRIPT: dict[str, Any] = {
    "genesis": "default",
    "watch": [
        MARKET + "status",
        MARKET + "initial_margin_ppm",
        "market.ETH-USD.status",
        "market.ETH-USD.maintenance_margin_ppm",
    ],
    "steps": [
        {
            "at": "+1s",
            **_committee(
                G12,
                {
                    "type": "EmergencyTighten",
                    "name": MARKET + "initial_margin_ppm",
                    "value": 100_000,
                },
                "accepted",
            ),
        },
        _committee(
            G13,
            {
                "type": "EmergencyStatus",
                "market_id": "BTC-USD",
                "status": "paused",
                "duration_ms": 864_000_000,
            },
            "accepted",
        ),
        _committee(
            ["guardian-2"],
            {
                "type": "EmergencyStatus",
                "market_id": "ETH-USD",
                "status": "reduce_only",
                "duration_ms": 3_600_000,
            },
            "too_few_signatures",
        ),
        _committee(
            G23,
            {
                "type": "EmergencyStatus",
                "market_id": "ETH-USD",
                "status": "reduce_only",
                "duration_ms": 3_600_000,
            },
            "accepted",
        ),
        {
            "at": "+1m",
            **_committee(
                G12,
                {
                    "type": "EmergencyTighten",
                    "name": MARKET + "initial_margin_ppm",
                    "value": 150_000,
                },
                "cooldown_active",
            ),
        },
        _committee(
            G12,
            {
                "type": "EmergencyStatus",
                "market_id": "BTC-USD",
                "status": "active",
                "duration_ms": 1,
            },
            "not_allowed",
        ),
        {
            "at": "+1m",
            "op": "propose",
            "by": "alice",
            "executor": "short",
            "actions": UNPAUSE,
            "description": "Unpause BTC-USD once the crash is over",
            "expect": "accepted",
        },
        {
            "op": "propose",
            "by": "alice",
            "executor": "short",
            "actions": UNPAUSE,
            "expect": "duplicate_proposal",
        },
        {
            "op": "propose",
            "by": "alice",
            "executor": "short",
            "actions": _set(MARKET + "initial_margin_ppm", 40_000),
            "expect": "executor_insufficient",
        },
        {
            "op": "propose",
            "by": "bob",
            "executor": "short",
            "actions": _set("market.ETH-USD.maintenance_margin_ppm", 500_000),
            "description": "Raise ETH MMF to 5% (typo: 500000 is 50%)",
            "expect": "inconsistent",
        },
        {
            "at": "+1m",
            "op": "vote",
            "by": "alice",
            "proposal": 1,
            "support": "for",
            "expect": "voting_closed",
        },
        {
            "op": "transfer",
            "by": "alice",
            "to": "dave",
            "amount": 100_000_000,
            "expect": "accepted",
        },
        {"at": "+1h", "op": "advance", "expect": "accepted"},
        {
            "at": "+1d",
            "op": "vote",
            "by": "alice",
            "proposal": 1,
            "support": "for",
            "expect": "accepted",
        },
        {"op": "vote", "by": "bob", "proposal": 1, "support": "against", "expect": "accepted"},
        {"op": "vote", "by": "bob", "proposal": 1, "support": "for", "expect": "already_voted"},
        {"op": "transfer", "by": "dave", "to": "erin", "amount": 100_000_000, "expect": "accepted"},
        {"op": "vote", "by": "erin", "proposal": 1, "support": "for", "expect": "no_voting_power"},
        {"op": "vote", "by": "dave", "proposal": 1, "support": "abstain", "expect": "accepted"},
        {"at": "+4d", "op": "queue", "by": "carol", "proposal": 1, "expect": "accepted"},
        {"op": "execute", "by": "carol", "proposal": 1, "expect": "timelock_not_finished"},
        {"at": "+2d", "op": "execute", "by": "carol", "proposal": 1, "expect": "accepted"},
        {"op": "execute", "by": "carol", "proposal": 1, "expect": "already_executed"},
    ],
}
