"""The parameter registry: every value the engine reads, with a canonical digest.

Values live in one flat table keyed by parameter name (see ``schema``), so a snapshot is a
plain dict and the digest covers every family alike. Writes arrive as a batch (name to new
value, None to remove); a batch is checked whole, against types, hard bounds and each
family's consistency rules, before any of it is committed.
"""

import hashlib
import re
from collections.abc import Mapping

import msgspec

from isoperp.commands.governance import ParamValue
from isoperp.events import Event, Rejected
from isoperp.events.governance import MarketListed, ParameterChanged
from isoperp.governance.schema import SCHEMA, param_name, parse_name, value_problem
from isoperp.markets import MarketSpec
from isoperp.markets.spec import MarketStatus
from isoperp.numeric import MAX_MARKETS

Writes = Mapping[str, ParamValue | None]
MARKET_ID = re.compile(r"^[A-Z0-9]{1,16}-[A-Z0-9]{1,16}$")


class ParameterRegistry(msgspec.Struct, kw_only=True, dict=True):
    """Every governed value by name; ``dict=True`` holds a market-spec cache outside the
    encoded fields, so snapshots and digests never see it."""

    values: dict[str, ParamValue] = {}

    # ---- reads (the engine's interface) -------------------------------------------------

    def get(self, name: str) -> ParamValue:
        return self.values[name]

    def get_int(self, name: str) -> int:
        value = self.values[name]
        assert type(value) is int, name
        return value

    def get_keys(self, name: str) -> tuple[str, ...]:
        value = self.values[name]
        assert isinstance(value, tuple), name
        return value

    def has_market(self, market_id: str) -> bool:
        return f"market.{market_id}.market_id" in self.values

    def market_ids(self) -> list[str]:
        return sorted(
            name.split(".")[1]
            for name in self.values
            if name.startswith("market.") and name.endswith(".market_id")
        )

    def market_spec(self, market_id: str) -> MarketSpec:
        """The market's specification in force; cached until the next commit."""
        cache: dict[str, MarketSpec] = self.__dict__.setdefault("_market_specs", {})
        spec = cache.get(market_id)
        if spec is None:
            prefix = f"market.{market_id}."
            fields = {f: self.values[prefix + f] for f in SCHEMA["market"].fields}
            fields["status"] = MarketStatus(str(fields["status"]))
            spec = cache[market_id] = MarketSpec(**fields)  # type: ignore[arg-type]
        return spec

    def digest(self) -> bytes:
        """blake2b-256 of the values as JSON with sorted keys: the rollup commits to it."""
        encoded = msgspec.json.encode(self.values, order="deterministic")
        return hashlib.blake2b(encoded, digest_size=32, person=b"isoperp.registry").digest()

    # ---- checked writes -----------------------------------------------------------------

    def value_after(self, writes: Writes, name: str) -> ParamValue | None:
        """The value ``name`` would have once ``writes`` were committed."""
        return writes[name] if name in writes else self.values.get(name)

    def check(self, writes: Writes) -> Rejected | None:
        """Why committing ``writes`` would break the schema, or None if it is sound."""
        groups: set[tuple[str, str | None]] = set()
        for name, value in writes.items():
            parsed = parse_name(name)
            if parsed is None:
                return Rejected(code="unknown_parameter", message=f"no parameter named {name!r}")
            parsed_name, spec = parsed
            problem = None if value is None else value_problem(spec, value)
            if problem is not None:
                return Rejected(code=problem[0], message=f"{name}: {problem[1]}")
            groups.add((parsed_name.family, parsed_name.key))
        for family_name, key in sorted(groups, key=str):
            family = SCHEMA[family_name]
            after = {
                f: self.value_after(writes, param_name(family_name, key, f)) for f in family.fields
            }
            present = [f for f, v in after.items() if v is not None]
            if not present:
                continue
            if len(present) != len(after):
                missing = sorted(set(after) - set(present))
                return Rejected(
                    code="incomplete", message=f"{family_name} {key}: missing {missing}"
                )
            problems = [] if family.check is None else family.check(after.__getitem__)  # type: ignore[arg-type]
            if problems:
                where = family_name if key is None else f"{family_name} {key}"
                return Rejected(code="inconsistent", message=f"{where}: {'; '.join(problems)}")
        return None

    def commit(self, writes: Writes, by: str) -> list[ParameterChanged]:
        """Apply checked writes in name order; one event per value that changed."""
        events = []
        for name in sorted(writes):
            old, new = self.values.get(name), writes[name]
            if old == new:
                continue
            if new is None:
                del self.values[name]
            else:
                self.values[name] = new
            events.append(ParameterChanged(name=name, old=old, new=new, by=by))
        self.__dict__.pop("_market_specs", None)
        return events

    def list_market(
        self, spec: MarketSpec, oracle_signers: tuple[str, ...], oracle_quorum: int, by: str
    ) -> list[Event]:
        """List a market with its oracle set; ``[Rejected]`` and no change if it cannot be."""
        writes = listing_writes(self, spec, oracle_signers, oracle_quorum)
        if isinstance(writes, Rejected):
            return [writes]
        refused = self.check(writes)
        if refused is not None:
            return [refused]
        changes: list[Event] = [*self.commit(writes, by)]
        return [*changes, MarketListed(market_id=spec.market_id, by=by)]


def listing_writes(
    registry: ParameterRegistry,
    spec: MarketSpec,
    oracle_signers: tuple[str, ...],
    oracle_quorum: int,
    pending: Writes | None = None,
) -> dict[str, ParamValue | None] | Rejected:
    """Every per-market value a new market needs: its spec, its oracle set, and the schema
    defaults of the other per-market families."""
    market_id = spec.market_id
    if not MARKET_ID.match(market_id):
        return Rejected(code="bad_market_id", message=f"{market_id!r} is not like BTC-USD")
    name = f"market.{market_id}.market_id"
    if registry.value_after(pending or {}, name) is not None:
        return Rejected(code="market_exists", message=f"{market_id} is already listed")
    if spec.status is MarketStatus.FINAL_SETTLEMENT:
        return Rejected(code="bad_status", message="a market cannot be listed in final settlement")
    pending_listings = sum(
        1 for n, v in (pending or {}).items() if n.endswith(".market_id") and v is not None
    )
    if len(registry.market_ids()) + pending_listings >= MAX_MARKETS:
        return Rejected(code="too_many_markets", message=f"at most {MAX_MARKETS} markets")
    given: dict[str, ParamValue] = {
        **{f"market.{market_id}.{f}": getattr(spec, f) for f in SCHEMA["market"].fields},
        f"market.{market_id}.status": spec.status.value,
        f"oracle.{market_id}.signers": oracle_signers,
        f"oracle.{market_id}.quorum": oracle_quorum,
    }
    writes: dict[str, ParamValue | None] = {}
    for family_name, family in SCHEMA.items():
        if not family.keyed:
            continue
        for field_name, field_spec in family.fields.items():
            full = param_name(family_name, market_id, field_name)
            value = given.get(full, field_spec.default)
            if value is None:
                return Rejected(code="incomplete", message=f"listing needs a value for {full}")
            writes[full] = value
    return writes
