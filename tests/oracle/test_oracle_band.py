"""The band and its confirmation rule, and the stale policies, on worked numbers."""

import pytest
from test_oracle_properties import accept_all, config, fake_report

from isoperp.events.oracle import OraclePricePending, OraclePriceUpdated, OracleStale
from isoperp.oracle import (
    OracleConfig,
    OracleState,
    StalePolicy,
    apply_price_report,
    check_staleness,
    liquidation_price,
)

T = 1_700_000_000  # seconds


def feed(state: OracleState, price: int, t_s: int, cfg: OracleConfig | None = None) -> tuple:
    return apply_price_report(
        "M0", cfg or config(), state, fake_report([price] * 3, price, t_s), accept_all
    )


def test_a_jump_beyond_five_percent_waits_for_a_later_confirming_report() -> None:
    state, _ = feed(OracleState(), 2000, T)
    state, events = feed(state, 2100, T + 1)  # +5.0 %: inside the band (boundary included)
    assert state.price == 2100 and events[0] == OraclePriceUpdated(
        market="M0", price=2100, previous_price=2000, price_time_ms=(T + 1) * 1000, confirmed=False
    )
    state, events = feed(state, 2206, T + 2)  # +5.05 %: held
    assert state.price == 2100
    assert events == (
        OraclePricePending(
            market="M0",
            price=2206,
            last_price=2100,
            pending_since_ms=(T + 2) * 1000,
            confirmable_from_ms=(T + 12) * 1000,
        ),
    )
    state, events = feed(state, 2210, T + 5)  # consistent but before the 10 s delay
    assert state.price == 2100 and isinstance(events[0], OraclePricePending)
    assert state.pending is not None and state.pending.since_ms == (T + 2) * 1000
    state, events = feed(state, 2212, T + 12)  # within 5 % of 2210, 10 s after the first
    assert state.price == 2212 and state.pending is None
    assert events[0] == OraclePriceUpdated(
        market="M0", price=2212, previous_price=2100, price_time_ms=(T + 12) * 1000, confirmed=True
    )


def test_a_blip_that_comes_back_clears_the_pending_price() -> None:
    state, _ = feed(OracleState(), 2000, T)
    state, _ = feed(state, 3000, T + 1)
    assert state.pending is not None
    state, events = feed(state, 2010, T + 2)
    assert state.price == 2010 and state.pending is None and not events[0].confirmed  # type: ignore[union-attr]
    state, _ = feed(state, 3000, T + 30)  # a new jump starts a new delay
    assert state.pending is not None and state.pending.since_ms == (T + 30) * 1000


def test_a_second_jump_elsewhere_restarts_the_delay() -> None:
    state, _ = feed(OracleState(), 2000, T)
    state, _ = feed(state, 3000, T + 1)
    state, _ = feed(state, 1000, T + 20)  # far from both 2000 and 3000
    assert state.price == 2000 and state.pending is not None
    assert state.pending.price == 1000 and state.pending.since_ms == (T + 20) * 1000


def test_stale_policies() -> None:
    halt = config()
    keep = OracleConfig(
        **{f: getattr(halt, f) for f in halt.__struct_fields__ if f != "stale_policy"},
        stale_policy=StalePolicy.LIQUIDATE_AT_LAST,
    )
    for cfg, expected in ((halt, None), (keep, 2000)):
        state, _ = feed(OracleState(), 2000, T, cfg)
        state, events = check_staleness("M0", cfg, state, T * 1000 + 60_000)
        assert events == () and liquidation_price(cfg, state) == 2000
        state, events = check_staleness("M0", cfg, state, T * 1000 + 60_001)
        assert events == (
            OracleStale(
                market="M0",
                last_price=2000,
                last_price_time_ms=T * 1000,
                now_ms=T * 1000 + 60_001,
                policy=cfg.stale_policy.value,
            ),
        )
        assert check_staleness("M0", cfg, state, T * 1000 + 90_000) == (state, ())
        assert liquidation_price(cfg, state) == expected


def test_configs_that_cannot_work_are_refused() -> None:
    good = config()
    fields = {f: getattr(good, f) for f in good.__struct_fields__}
    bad_values = [
        {"quorum": 0},
        {"quorum": len(good.signers) + 1},
        {"signers": (*good.signers, good.signers[0])},
        {"band_ppm": 0},
        {"max_lag_ms": good.max_price_age_ms},
        {"asset_id": 2**251},
    ]
    for change in bad_values:
        with pytest.raises(ValueError):
            OracleConfig(**{**fields, **change})
