"""The parameter registry: schema coverage, checked writes, market specs and the digest."""

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.events import Rejected
from isoperp.events.governance import MarketListed
from isoperp.governance import SCHEMA, Family, Kind, ParameterRegistry, ParamSpec
from isoperp.governance.schema import loosens, parse_name
from isoperp.governance.simulate import BTC, build_genesis
from isoperp.markets import MarketSpec
from isoperp.numeric import MAX_MARKETS

FIXED_AT_LISTING = {"market_id", "base_asset", "tick_size", "step_size", "quantums_per_step_tick"}


def test_every_market_field_is_a_parameter_and_only_listing_fields_are_fixed():
    fields = {f.name for f in msgspec.structs.fields(MarketSpec)}
    assert set(SCHEMA["market"].fields) == fields
    fixed = {name for name, spec in SCHEMA["market"].fields.items() if spec.executor is None}
    assert fixed == FIXED_AT_LISTING


def test_the_engine_reads_the_listed_spec_back():
    registry = build_genesis("default").registry
    spec = registry.market_spec("BTC-USD")
    assert msgspec.structs.asdict(spec) == {**BTC, "status": "active"}
    assert registry.market_ids() == ["BTC-USD", "ETH-USD"]
    assert registry.get_int("exchange.max_open_orders_per_subaccount") == 200


def test_checked_writes_refuse_unknown_mistyped_out_of_bounds_and_inconsistent_values():
    registry = build_genesis("default").registry
    cases = {
        "unknown_parameter": {"market.BTC-USD.leverage": 5},
        "wrong_type": {"market.BTC-USD.initial_margin_ppm": True},
        "out_of_bounds": {"market.BTC-USD.initial_margin_ppm": 1_000_001},
        "inconsistent": {"market.BTC-USD.maintenance_margin_ppm": 50_000},
        "incomplete": {"oracle.SOL-USD.quorum": 1},
    }
    for code, writes in cases.items():
        refused = registry.check(writes)
        assert isinstance(refused, Rejected) and refused.code == code, (code, refused)
    assert registry.check({"market.BTC-USD.maintenance_margin_ppm": 49_999}) is None


def test_commit_reports_changes_and_the_engine_sees_them_next():
    registry = build_genesis("default").registry
    before = registry.market_spec("BTC-USD")
    events = registry.commit({"market.BTC-USD.taker_fee_ppm": 700}, by="proposal:1")
    assert [(e.name, e.old, e.new, e.by) for e in events] == [
        ("market.BTC-USD.taker_fee_ppm", 500, 700, "proposal:1")
    ]
    assert registry.market_spec("BTC-USD").taker_fee_ppm == 700
    assert before.taker_fee_ppm == 500
    assert registry.commit({"market.BTC-USD.taker_fee_ppm": 700}, by="proposal:2") == []


def test_listing_refuses_duplicates_and_bad_specs():
    state = build_genesis("default")
    registry, signers = state.registry, state.registry.get_keys("oracle.BTC-USD.signers")
    spec = registry.market_spec("BTC-USD")
    assert registry.list_market(spec, signers, 2, by="t")[0].code == "market_exists"
    sol = msgspec.structs.replace(spec, market_id="SOL-USD", base_asset="SOL")
    assert (
        registry.list_market(msgspec.structs.replace(sol, market_id="sol"), signers, 2, by="t")[
            0
        ].code
        == "bad_market_id"
    )
    bad = msgspec.structs.replace(sol, quantums_per_step_tick=7)
    assert registry.list_market(bad, signers, 2, by="t")[0].code == "inconsistent"
    assert registry.list_market(sol, signers, 4, by="t")[0].code == "inconsistent"
    digest = registry.digest()
    events = registry.list_market(sol, signers, 2, by="t")
    assert events[-1] == MarketListed(market_id="SOL-USD", by="t")
    assert registry.market_spec("SOL-USD") == sol and registry.digest() != digest


def test_listing_stops_at_max_markets_and_at_the_quantums_bound():
    """Both bounds keep the compiled engine's sums and products inside 128 bits."""
    registry = build_genesis("default").registry
    signers = registry.get_keys("oracle.BTC-USD.signers")
    spec = registry.market_spec("BTC-USD")
    big = msgspec.structs.replace(
        spec,
        market_id="BIG-USD",
        base_asset="BIG",
        tick_size="1",
        step_size="16.777217",
        quantums_per_step_tick=2**24 + 1,
    )
    assert registry.list_market(big, signers, 2, by="t")[0].code == "inconsistent"
    listed = len(registry.market_ids())
    for i in range(MAX_MARKETS - listed):
        name = f"M{i}-USD"
        events = registry.list_market(
            msgspec.structs.replace(spec, market_id=name, base_asset=f"M{i}"), signers, 2, by="t"
        )
        assert events[-1] == MarketListed(market_id=name, by="t")
    one_more = msgspec.structs.replace(spec, market_id="LAST-USD", base_asset="LAST")
    assert registry.list_market(one_more, signers, 2, by="t")[0].code == "too_many_markets"
    assert len(registry.market_ids()) == MAX_MARKETS


def test_a_new_family_is_a_table_entry(monkeypatch):
    """The lead adds oracle, funding and liquidation families: listing picks up defaults."""
    funding = Family(
        keyed=True,
        fields={
            "clamp_ppm": ParamSpec(kind=Kind.INT, low=0, high=10_000, executor="short", default=600)
        },
    )
    monkeypatch.setitem(SCHEMA, "funding", funding)
    state = build_genesis("default")
    assert state.registry.get_int("funding.BTC-USD.clamp_ppm") == 600
    assert state.registry.check({"funding.BTC-USD.clamp_ppm": 10_001}).code == "out_of_bounds"
    assert parse_name("funding.BTC-USD.clamp_ppm")[0].attr == "clamp_ppm"


def test_loosening_direction_follows_the_schema():
    imf = SCHEMA["market"].fields["initial_margin_ppm"]
    cap = SCHEMA["market"].fields["max_position_steps"]
    status = SCHEMA["market"].fields["status"]
    assert loosens(imf, 50_000, 40_000) and not loosens(imf, 50_000, 60_000)
    assert loosens(cap, 10, 11) and not loosens(cap, 10, 9)
    assert loosens(status, "paused", "active") and not loosens(status, "active", "reduce_only")
    assert (
        imf.executor_for(50_000, 40_000) == "long" and imf.executor_for(50_000, 60_000) == "short"
    )


NAMES = sorted(build_genesis("default").registry.values)


@settings(max_examples=50, deadline=None)
@given(order=st.permutations(NAMES), changed=st.sampled_from(NAMES))
def test_the_digest_depends_on_values_not_on_insertion_order(order, changed):
    values = build_genesis("default").registry.values
    shuffled = ParameterRegistry(values={name: values[name] for name in order})
    assert shuffled.digest() == ParameterRegistry(values=dict(values)).digest()
    assert len(shuffled.digest()) == 32
    other = dict(values)
    other[changed] = "x" if not isinstance(values[changed], str) else values[changed] + "x"
    assert ParameterRegistry(values=other).digest() != shuffled.digest()
