"""Risk parameters live in the governance registry: listing fills the defaults, governance
changes them within bounds, and the family's consistency rules hold."""

import msgspec

from isoperp.events import Rejected
from isoperp.governance import SCHEMA
from isoperp.governance.schema import LONG, SHORT
from isoperp.governance.simulate import build_genesis
from isoperp.risk.config import LossPolicy, RiskConfig, risk_config


def test_listing_fills_the_risk_defaults_and_risk_config_reads_them():
    registry = build_genesis("default").registry
    assert risk_config(registry, "BTC-USD") == RiskConfig()
    assert risk_config(registry, "ETH-USD").loss_policy == LossPolicy.ADL_RANDOM
    assert set(SCHEMA["risk"].fields) == {f.name for f in msgspec.structs.fields(RiskConfig)}


def test_changes_are_checked_and_read_back():
    registry = build_genesis("default").registry
    assert registry.check({"risk.BTC-USD.loss_policy": 3}).code == "out_of_bounds"
    inconsistent = registry.check({"risk.BTC-USD.liquidator_reward_ppm": 20_000})
    assert isinstance(inconsistent, Rejected) and inconsistent.code == "inconsistent"
    capped = registry.check({"risk.BTC-USD.insurance_event_cap": 10**13 + 1})
    assert capped.code == "inconsistent"
    registry.commit({"risk.BTC-USD.loss_policy": int(LossPolicy.SOCIALIZED)}, by="t")
    assert risk_config(registry, "BTC-USD").loss_policy == LossPolicy.SOCIALIZED
    assert risk_config(registry, "ETH-USD").loss_policy == LossPolicy.ADL_RANDOM


def test_loosening_a_cap_needs_the_long_timelock():
    cap = SCHEMA["risk"].fields["insurance_event_cap"]
    assert cap.executor_for(10**12, 10**11) == SHORT  # a lower cap pays out less: tighter
    assert cap.executor_for(10**12, 2 * 10**12) == LONG
    fee = SCHEMA["risk"].fields["max_liquidation_fee_ppm"]
    assert fee.executor_for(15_000, 20_000) == SHORT
    assert fee.executor_for(15_000, 10_000) == LONG
