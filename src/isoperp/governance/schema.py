"""The parameter schema: one table entry per family prefix and field.

A parameter name is ``<family>.<KEY>.<field>`` for per-market families (``market``,
``oracle``) and ``<family>.<field>`` for global ones. Each field records its type, hard
bounds, the executor that may change it (``None``: fixed at listing), the executor needed
when a change loosens risk, its tightening direction, and, if the emergency committee may
move it, which registry value bounds the committee's step. Adding a family (funding,
liquidation, ...) is adding a ``Family`` to ``SCHEMA``: no other code path changes.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple

from isoperp.commands.governance import ParamValue
from isoperp.governance.keys import is_canonical_keyset
from isoperp.markets import MarketSpec, MarketStatus, validate_spec
from isoperp.numeric import MAX_QUANTUMS, MAX_SIZE_STEPS, PPM
from isoperp.risk.config import RiskConfig, config_problems

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
SHORT = "short"
LONG = "long"


class Kind(StrEnum):
    INT = "int"
    TEXT = "text"
    STATUS = "status"
    KEYSET = "keyset"  # bounds are on the number of keys


class Tightens(StrEnum):
    """Which way a change makes the exchange safer; the other way loosens risk."""

    UP = "up"
    DOWN = "down"
    NONE = "none"


# Status order from least to most restrictive: moving right tightens.
STATUS_RANK = {
    MarketStatus.ACTIVE: 0,
    MarketStatus.REDUCE_ONLY: 1,
    MarketStatus.PAUSED: 2,
    MarketStatus.FINAL_SETTLEMENT: 3,
}


@dataclass(frozen=True)
class CommitteeStep:
    """The committee may move a value by at most the registry value named ``bound`` per act:
    an absolute amount, or (``relative``) a fraction in ppm of the current value."""

    bound: str
    relative: bool


@dataclass(frozen=True, kw_only=True)
class ParamSpec:
    kind: Kind
    low: int = 0
    high: int = 0
    executor: str | None  # None: fixed at listing, never changed by governance
    loosen_executor: str | None = None  # None: same as ``executor``
    tightens: Tightens = Tightens.NONE
    committee_step: CommitteeStep | None = None
    default: ParamValue | None = None
    doc: str = ""

    def executor_for(self, old: ParamValue, new: ParamValue) -> str | None:
        """The executor a change from ``old`` to ``new`` needs."""
        if self.loosen_executor is not None and loosens(self, old, new):
            return self.loosen_executor
        return self.executor


# A family check receives a lookup of the family's fields for one key and returns problems.
FamilyCheck = Callable[[Callable[[str], ParamValue]], list[str]]


@dataclass(frozen=True)
class Family:
    keyed: bool  # True: one value per market, named <family>.<MARKET_ID>.<field>
    fields: dict[str, ParamSpec]
    check: FamilyCheck | None = None  # consistency across the family's fields for one key


def _rank(spec: ParamSpec, value: ParamValue) -> int:
    if spec.kind is Kind.STATUS:
        return STATUS_RANK[MarketStatus(str(value))]
    assert isinstance(value, int)
    return value


def loosens(spec: ParamSpec, old: ParamValue, new: ParamValue) -> bool:
    """True when moving from ``old`` to ``new`` goes against the tightening direction."""
    if spec.tightens is Tightens.NONE:
        return False
    before, after = _rank(spec, old), _rank(spec, new)
    return after < before if spec.tightens is Tightens.UP else after > before


def tightens(spec: ParamSpec, old: ParamValue, new: ParamValue) -> bool:
    """True when ``new`` is strictly safer than ``old``."""
    if spec.tightens is Tightens.NONE or old == new:
        return False
    return not loosens(spec, old, new)


def value_problem(spec: ParamSpec, value: object) -> tuple[str, str] | None:
    """(code, reason) when ``value`` has the wrong type or lies outside the hard bounds."""
    if spec.kind is Kind.INT:
        if type(value) is not int:
            return "wrong_type", "must be an integer"
        if not spec.low <= value <= spec.high:
            return "out_of_bounds", f"{value} outside [{spec.low}, {spec.high}]"
    elif spec.kind is Kind.TEXT:
        if not isinstance(value, str) or not value:
            return "wrong_type", "must be a non-empty text"
    elif spec.kind is Kind.STATUS:
        if not isinstance(value, str) or value not in set(MarketStatus):
            return "wrong_type", f"must be one of {[s.value for s in MarketStatus]}"
    elif spec.kind is Kind.KEYSET:
        if not is_canonical_keyset(value):
            return "wrong_type", "must be ascending, distinct, canonical hex public keys"
        assert isinstance(value, tuple)
        if not spec.low <= len(value) <= spec.high:
            return "out_of_bounds", f"must hold between {spec.low} and {spec.high} keys"
    return None


def _fixed_text(doc: str) -> ParamSpec:
    return ParamSpec(kind=Kind.TEXT, executor=None, doc=doc)


def _risk(
    low: int, high: int, direction: Tightens, doc: str, step: CommitteeStep | None = None
) -> ParamSpec:
    """A risk parameter: routine changes on the short timelock, loosening on the long one."""
    return ParamSpec(
        kind=Kind.INT,
        low=low,
        high=high,
        executor=SHORT,
        loosen_executor=LONG,
        tightens=direction,
        committee_step=step,
        doc=doc,
    )


def _long(kind: Kind, low: int, high: int, default: ParamValue | None, doc: str) -> ParamSpec:
    return ParamSpec(kind=kind, low=low, high=high, executor=LONG, default=default, doc=doc)


MARGIN_STEP = CommitteeStep("committee.max_margin_step_ppm", relative=False)
CAP_CUT = CommitteeStep("committee.max_cap_cut_ppm", relative=True)
MAX_KEYS = 31

MARKET_FIELDS: dict[str, ParamSpec] = {
    "market_id": _fixed_text("market identifier, e.g. BTC-USD"),
    "base_asset": _fixed_text("traded asset"),
    "tick_size": _fixed_text("USDC per base unit per tick (decimal text)"),
    "step_size": _fixed_text("base units per step (decimal text)"),
    "quantums_per_step_tick": ParamSpec(
        kind=Kind.INT, low=1, high=MAX_QUANTUMS, executor=None, doc="notional of 1 step at 1 tick"
    ),
    "min_order_steps": ParamSpec(
        kind=Kind.INT, low=1, high=MAX_SIZE_STEPS, executor=SHORT, doc="smallest order"
    ),
    "initial_margin_ppm": _risk(1, PPM, Tightens.UP, "IMF up to the baseline size", MARGIN_STEP),
    "maintenance_margin_ppm": _risk(1, PPM - 1, Tightens.UP, "MMF", MARGIN_STEP),
    "baseline_position_steps": _risk(0, MAX_SIZE_STEPS, Tightens.DOWN, "IMF flat up to this"),
    "incremental_position_steps": _risk(1, MAX_SIZE_STEPS, Tightens.DOWN, "IMF increment block"),
    "incremental_initial_margin_ppm": _risk(
        0, PPM, Tightens.UP, "IMF added per block beyond the baseline", MARGIN_STEP
    ),
    "max_position_steps": _risk(1, MAX_SIZE_STEPS, Tightens.DOWN, "largest |position|", CAP_CUT),
    "open_interest_cap_steps": _risk(1, MAX_SIZE_STEPS, Tightens.DOWN, "cap on longs", CAP_CUT),
    "maker_fee_ppm": ParamSpec(
        kind=Kind.INT, low=-PPM // 100, high=PPM // 10, executor=SHORT, doc="maker fee (<0 rebate)"
    ),
    "taker_fee_ppm": ParamSpec(kind=Kind.INT, low=0, high=PPM // 10, executor=SHORT, doc="taker"),
    # dYdX unpauses on the short timelock (governance-contracts, deploy-config/base-config.ts and
    # the merkle-pauser executor): loosening a status needs the timelock, not the long one.
    "status": ParamSpec(
        kind=Kind.STATUS,
        executor=SHORT,
        tightens=Tightens.UP,
        default=MarketStatus.ACTIVE.value,
        doc="active < reduce_only < paused < final_settlement (tighter to the right)",
    ),
}


def market_spec_from(get: Callable[[str], ParamValue]) -> MarketSpec:
    """Assemble a MarketSpec from the ``market`` family's values for one market."""
    values = {name: get(name) for name in MARKET_FIELDS}
    values["status"] = MarketStatus(str(values["status"]))
    return MarketSpec(**values)  # type: ignore[arg-type]


def _check_market(get: Callable[[str], ParamValue]) -> list[str]:
    return validate_spec(market_spec_from(get))


def _check_signer_quorum(members: str, quorum: str) -> FamilyCheck:
    def check(get: Callable[[str], ParamValue]) -> list[str]:
        keys, needed = get(members), get(quorum)
        assert isinstance(keys, tuple) and isinstance(needed, int)
        if needed > len(keys):
            return [f"{quorum}={needed} exceeds the {len(keys)} keys in {members}"]
        return []

    return check


def _with_default(spec: ParamSpec, default: ParamValue) -> ParamSpec:
    return replace(spec, default=default)


STALE_POLICIES = ("halt", "liquidate_at_last")
MARK_MODES = ("oracle", "median")
ORACLE_FIELDS: dict[str, ParamSpec] = {
    "signers": _long(Kind.KEYSET, 1, MAX_KEYS, None, "oracle signer public keys"),
    "quorum": _long(Kind.INT, 1, MAX_KEYS, None, "signatures a price report needs"),
    # dYdX v4's price daemon drops prices older than 30 s; a report may lag a minute here.
    "max_lag_ms": _with_default(
        _risk(1_000, HOUR_MS, Tightens.DOWN, "how old a signed timestamp may be"), 60_000
    ),
    "max_lead_ms": _with_default(
        _risk(0, 60_000, Tightens.DOWN, "how far a signed timestamp may lead"), 5_000
    ),
    "max_price_age_ms": _with_default(
        _risk(2_000, DAY_MS, Tightens.DOWN, "older prices make the market stale"), 120_000
    ),
    "band_ppm": _with_default(
        _risk(1_000, 900_000, Tightens.DOWN, "a larger move needs confirmation"), 100_000
    ),
    "confirm_delay_ms": _with_default(
        _risk(0, HOUR_MS, Tightens.UP, "wait before a band-breaking price applies"), 10_000
    ),
    "stale_policy": _long(Kind.TEXT, 0, 0, "halt", "halt | liquidate_at_last"),
    "mark_mode": _long(Kind.TEXT, 0, 0, "oracle", "oracle | median (with book and EMA basis)"),
    # Hyperliquid's mark uses a 150 s EMA of (mid − oracle).
    "mark_ema_period_ms": _long(Kind.INT, 1_000, DAY_MS, 150_000, "EMA period of the basis"),
}


def _check_oracle(get: Callable[[str], ParamValue]) -> list[str]:
    problems = _check_signer_quorum("signers", "quorum")(get)
    if get("stale_policy") not in STALE_POLICIES:
        problems.append(f"stale_policy must be one of {STALE_POLICIES}")
    if get("mark_mode") not in MARK_MODES:
        problems.append(f"mark_mode must be one of {MARK_MODES}")
    lag, age = get("max_lag_ms"), get("max_price_age_ms")
    assert isinstance(lag, int) and isinstance(age, int)
    if lag >= age:
        problems.append("max_lag_ms must be below max_price_age_ms, or prices arrive stale")
    return problems


COMMITTEE_FIELDS: dict[str, ParamSpec] = {
    "members": _long(Kind.KEYSET, 1, MAX_KEYS, None, "emergency committee public keys"),
    "threshold": _long(Kind.INT, 1, MAX_KEYS, None, "approvals a committee act needs"),
    "max_hold_ms": _long(Kind.INT, HOUR_MS, 30 * DAY_MS, 10 * DAY_MS, "longest emergency hold"),
    "cooldown_ms": _long(Kind.INT, HOUR_MS, 30 * DAY_MS, 6 * HOUR_MS, "between steps per value"),
    "max_margin_step_ppm": _long(Kind.INT, 1, PPM // 5, 50_000, "largest margin raise per act"),
    "max_cap_cut_ppm": _long(Kind.INT, 1, 900_000, 500_000, "largest relative cap cut per act"),
}

# dYdX v4: premium votes clamped to ±60·(IMF − MMF), rates to ±6·(IMF − MMF) — 1,200,000 and
# 120,000 ppm for IMF 5 % / MMF 3 % — plus 100 ppm per 8 h of interest; StarkEx bounds each
# funding tick by a maximum rate. Impact notional: v4 uses 500 USDC / IMF (10,000 at 5 %).
FUNDING_FIELDS: dict[str, ParamSpec] = {
    "premium_clamp_ppm": _with_default(
        _risk(1_000, 10 * PPM, Tightens.DOWN, "clamp on each premium vote"), 1_200_000
    ),
    "rate_clamp_ppm": _with_default(
        _risk(1_000, PPM, Tightens.DOWN, "clamp on the 8-hour rate"), 120_000
    ),
    "interest_ppm": _with_default(
        _risk(-10_000, 10_000, Tightens.NONE, "interest per 8 hours, added to the premium"), 100
    ),
    "max_rate_ppm": _with_default(
        _risk(1_000, PPM, Tightens.DOWN, "StarkEx bound on a funding tick"), 120_000
    ),
    "impact_notional": _with_default(
        _risk(1, MAX_QUANTUMS, Tightens.NONE, "quantums filled to read an impact price"),
        10_000 * 10**6,
    ),
}


def _check_funding(get: Callable[[str], ParamValue]) -> list[str]:
    rate, most, interest = get("rate_clamp_ppm"), get("max_rate_ppm"), get("interest_ppm")
    assert isinstance(rate, int) and isinstance(most, int) and isinstance(interest, int)
    problems = []
    if most < rate:
        problems.append("max_rate_ppm below rate_clamp_ppm would refuse legal ticks")
    if abs(interest) > rate:
        problems.append("interest must lie inside the rate clamp")
    return problems


def _risk_default(name: str, low: int, high: int, direction: Tightens, doc: str) -> ParamSpec:
    """A ``risk`` family value: defaults from ``RiskConfig()``, loosening on the long timelock."""
    return replace(_risk(low, high, direction, doc), default=getattr(RiskConfig(), name))


_RISK_BOUNDS: dict[str, tuple[int, int, Tightens, str]] = {
    "max_liquidation_fee_ppm": (0, PPM // 10, Tightens.UP, "insurance fee cap per fill"),
    "bankruptcy_adjustment_ppm": (PPM, 10 * PPM, Tightens.NONE, "BA of the fillable price"),
    "spread_to_mmr_ratio_ppm": (0, 10 * PPM, Tightens.NONE, "widest spread / position MMR"),
    "min_liquidation_notional": (1, MAX_QUANTUMS, Tightens.NONE, "least closed per step"),
    "max_liquidation_portion_ppm": (1, PPM, Tightens.NONE, "position fraction per step"),
    "large_position_notional": (1, MAX_QUANTUMS, Tightens.NONE, "cooldown applies above"),
    "cooldown_ms": (0, HOUR_MS, Tightens.NONE, "between steps of a large position"),
    "insurance_event_cap": (0, MAX_QUANTUMS, Tightens.DOWN, "largest payout per event"),
    "insurance_period_cap": (0, MAX_QUANTUMS, Tightens.DOWN, "largest payout per period"),
    "insurance_period_ms": (HOUR_MS, 30 * DAY_MS, Tightens.UP, "payout window length"),
    "loss_policy": (0, 2, Tightens.NONE, "0 ranked ADL, 1 random ADL, 2 socialized loss"),
    "liquidator_discount_ppm": (0, PPM // 5, Tightens.DOWN, "takeover haircut vs mark"),
    "liquidator_reward_ppm": (0, PPM // 5, Tightens.DOWN, "liquidator's share of it"),
}


def _check_risk(get: Callable[[str], ParamValue]) -> list[str]:
    return config_problems(RiskConfig(**{name: get(name) for name in _RISK_BOUNDS}))  # type: ignore[arg-type]


SCHEMA: dict[str, Family] = {
    "market": Family(keyed=True, fields=MARKET_FIELDS, check=_check_market),
    "oracle": Family(keyed=True, fields=ORACLE_FIELDS, check=_check_oracle),
    "funding": Family(keyed=True, fields=FUNDING_FIELDS, check=_check_funding),
    "exchange": Family(
        keyed=False,
        fields={
            "max_open_orders_per_subaccount": ParamSpec(
                kind=Kind.INT, low=1, high=10_000, executor=SHORT, default=200, doc="resting"
            ),
        },
    ),
    "governance": Family(
        keyed=False,
        fields={
            # dYdX: VOTING_DELAY_BLOCKS = 6570, "one day" (deploy-config/base-config.ts).
            "voting_delay_ms": _long(Kind.INT, HOUR_MS, 7 * DAY_MS, DAY_MS, "proposal to snapshot"),
        },
    ),
    "committee": Family(
        keyed=False, fields=COMMITTEE_FIELDS, check=_check_signer_quorum("members", "threshold")
    ),
    "risk": Family(
        keyed=True,
        fields={name: _risk_default(name, *bounds) for name, bounds in _RISK_BOUNDS.items()},
        check=_check_risk,
    ),
}


class ParsedName(NamedTuple):
    """A parameter name split into family, key (None for globals) and field."""

    family: str
    key: str | None
    attr: str


def param_name(family: str, key: str | None, attr: str) -> str:
    return f"{family}.{key}.{attr}" if key is not None else f"{family}.{attr}"


def parse_name(name: str) -> tuple[ParsedName, ParamSpec] | None:
    """Split a parameter name and find its spec; None for an unknown name."""
    family_name, _, rest = name.partition(".")
    family = SCHEMA.get(family_name)
    if family is None or not rest:
        return None
    key: str | None = None
    if family.keyed:
        key, _, rest = rest.partition(".")
        if not key or not rest:
            return None
    spec = family.fields.get(rest)
    return None if spec is None else (ParsedName(family_name, key, rest), spec)
