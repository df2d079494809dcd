"""The liquidation detector: every subaccount with TV < MMR after new marks, fast.

Positions live in a ``PositionTable``, one row per (subaccount, market), kept up to date
incrementally by the engine (``update`` / ``remove`` per touched subaccount) with free lists
for rows and subaccount slots. Columns are ``array.array``s (cheap scalar writes on update)
that a scan views as numpy arrays without copying.

A scan is a float64 pre-filter and an exact integer decision:

1. Per row, in float64 (size·price·k can pass 2^63, so int64 is not an option; float64 has
   the range and a relative error we can bound), the row's contribution to TV − MMR:
   m = size·(P·(1 − side·MMF) − I_now + I_entry) with P = price·k and I = index/1e6, i.e.
   notional − |notional|·MMF + unsettled funding. Its error is below 10·ε·g with
   g = |size|·(2P + |I_now| + |I_entry|), and |m| ≤ g.
2. Per subaccount, np.bincount sums m − c·g (c = 2^-24), computed as size·F[market, side] +
   E_row with F = P·(1 ∓ MMF) − I_now ∓ c·(2P + |I_now|) per market and side and the row's
   entry term E_row = size·I_entry − c·|size|·|I_entry| fixed at update (one gather, one
   multiply, one add per row, each off by a few ε·g); the sum of s rows is off by at most
   (10 + 2s)·ε·Σg ≤ c·Σg while s ≤ 2^26 (ε = 2^-53). The subaccount is a candidate when
   collateral + Σm < c·(|collateral| + Σg) + 2s + 2: the c·Σg term covers float error, and
   2s + 2 covers the integer rounding (MMR rounds each row up by < 1, settled funding each
   row down by < 1). So every truly liquidatable subaccount is a candidate.
3. Each candidate is re-checked exactly, by the rule of ``totals.account_totals`` (that of
   ``accounts.margin``, funding settled by ``funding.settled_funding``): liquidatable means
   MMR > 0 and TV < MMR (dYdX v4 ``lib/margin/risk.go``). ``recheck`` does it in int64
   where no overflow is possible and hands the rest to Python integers.
"""

from array import array
from collections.abc import Iterable, Mapping
from typing import cast

import numpy as np
from numpy.typing import NDArray

from isoperp.funding.index import INDEX_SCALE
from isoperp.markets import MarketSpec
from isoperp.numeric import MAX_SIZE_STEPS, PPM, check_range
from isoperp.risk.recheck import WIDE, MarketInts, Rows, recheck
from isoperp.risk.totals import MarketMark, PositionEntry, account_totals

SubKey = tuple[int, int]  # (owner, subaccount number)
FLOAT_MARGIN = 2.0**-24  # c in the module docstring
INT64_MAX = 2**63 - 1
MAX_MARKETS = 2**20  # rows per subaccount stay far below 2^26


def _floats(column: "array[float]", n: int) -> NDArray[np.float64]:
    return np.frombuffer(column, dtype=np.float64, count=n)


class PositionTable:
    """Open positions by (subaccount, market) as columns, for whole-book scans."""

    def __init__(self, specs: Iterable[MarketSpec] = ()) -> None:
        self._market_index: dict[str, int] = {}
        self._k: list[int] = []
        self._mmf: list[int] = []
        # per subaccount slot
        self._slot_of: dict[SubKey, int] = {}
        self._keys: list[SubKey | None] = []
        self._collateral: list[int] = []
        self._collateral_int64 = array("q")  # the collateral, or 0 for the slots in _wide
        self._wide: set[int] = set()  # slots whose |collateral| ≥ 2^62
        self._rows_of: list[dict[str, int]] = []
        self._threshold = array("d")  # c·|collateral| − collateral + 2·rows + 2; −inf if free
        self._free_slots: list[int] = []
        # per row: slot, 2·market + (1 if short), the pre-filter's float size and entry term
        # (module docstring), and the exact size and entry index
        self._row_sub = array("q")
        self._row_side = array("q")
        self._row_size = array("d")
        self._row_entry_term = array("d")
        self._row_size_exact = array("q")
        self._row_entry_exact = array("q")
        self._free_rows: list[int] = []
        self.last_candidates = 0  # how many subaccounts the float filter passed last scan
        for spec in specs:
            self.set_market(spec)

    # -- markets ---------------------------------------------------------------------------

    def set_market(self, spec: MarketSpec) -> None:
        """Add a market, or take its new maintenance fraction after a governance change."""
        index = self._market_index.get(spec.market_id)
        if index is None:
            if len(self._k) >= MAX_MARKETS:
                raise ValueError("too many markets for the scan's error bound")
            self._market_index[spec.market_id] = len(self._k)
            self._k.append(spec.quantums_per_step_tick)
            self._mmf.append(spec.maintenance_margin_ppm)
        else:
            self._mmf[index] = spec.maintenance_margin_ppm

    # -- incremental maintenance -----------------------------------------------------------

    def __len__(self) -> int:
        """Open positions held."""
        return len(self._row_sub) - len(self._free_rows)

    def update(self, key: SubKey, collateral: int, positions: Mapping[str, PositionEntry]) -> None:
        """Replace what the table knows of one subaccount (zero sizes are ignored)."""
        live = {m: p for m, p in positions.items() if p[0] != 0}
        for size, funding_index in live.values():  # check all before changing anything
            check_range("size", size, -MAX_SIZE_STEPS, MAX_SIZE_STEPS)
            check_range("funding index", funding_index, -INT64_MAX, INT64_MAX)
        if not live:
            self.remove(key)
            return
        slot = self._slot_of.get(key)
        if slot is None:
            slot = self._new_slot(key)
        rows = self._rows_of[slot]
        for market_id in [m for m in rows if m not in live]:
            self._free_row(rows.pop(market_id))
        for market_id, (size, funding_index) in live.items():
            row = rows.get(market_id)
            if row is None:
                row = rows[market_id] = self._new_row()
            self._write_row(row, slot, market_id, size, funding_index)
        self._set_collateral(slot, collateral)
        loose = FLOAT_MARGIN * abs(float(collateral)) - float(collateral)
        self._threshold[slot] = loose + 2 * len(rows) + 2

    def remove(self, key: SubKey) -> None:
        """Forget a subaccount (flat, or gone)."""
        slot = self._slot_of.pop(key, None)
        if slot is None:
            return
        for row in self._rows_of[slot].values():
            self._free_row(row)
        self._rows_of[slot] = {}
        self._keys[slot] = None
        self._set_collateral(slot, 0)
        self._threshold[slot] = -np.inf
        self._free_slots.append(slot)

    # -- the scan --------------------------------------------------------------------------

    def scan(self, prices: Mapping[str, int], funding_indexes: Mapping[str, int]) -> list[SubKey]:
        """Every subaccount with MMR > 0 and TV < MMR at these marks and indexes, sorted."""
        n, subs = len(self._row_sub), len(self._keys)
        rows = Rows(
            np.frombuffer(self._row_sub, dtype=np.int64, count=n),
            np.frombuffer(self._row_side, dtype=np.int64, count=n),
            np.frombuffer(self._row_size_exact, dtype=np.int64, count=n),
            np.frombuffer(self._row_entry_exact, dtype=np.int64, count=n),
        )
        weight = (
            _floats(self._row_size, n) * self._per_side_factor(prices, funding_indexes)[rows.side]
        )
        weight += _floats(self._row_entry_term, n)
        sums = np.bincount(rows.sub, weights=weight, minlength=subs)
        candidates = np.flatnonzero(sums[:subs] < _floats(self._threshold, subs))
        self.last_candidates = len(candidates)
        markets = list(self._market_index)  # in index order
        market_ints = MarketInts(
            [prices[m] * k for m, k in zip(markets, self._k, strict=True)],
            self._mmf,
            [funding_indexes[m] for m in markets],
        )
        collateral = np.frombuffer(self._collateral_int64, dtype=np.int64, count=subs)
        exact, unsure = recheck(candidates, subs, rows, market_ints, collateral, self._wide)
        marks = {
            m: MarketMark(prices[m], self._k[i], self._mmf[i], funding_indexes[m])
            for i, m in enumerate(markets)
        }
        found = exact + [slot for slot in unsure if self._exactly_liquidatable(slot, marks)]
        # Only live slots can be candidates: a free slot's threshold is −inf.
        return sorted(cast(list[SubKey], list(map(self._keys.__getitem__, found))))

    def _per_side_factor(
        self, prices: Mapping[str, int], funding_indexes: Mapping[str, int]
    ) -> NDArray[np.float64]:
        """Per (market, side): P·(1 − side·MMF) − I_now − side·c·(2P + |I_now|), so that
        size times it is the row's m − c·g without its entry terms (module docstring)."""
        count = len(self._k)
        price_k = np.empty(count)
        index = np.empty(count)
        for market_id, i in self._market_index.items():
            price_k[i] = float(prices[market_id] * self._k[i])
            index[i] = funding_indexes[market_id] / INDEX_SCALE
        mmf = np.asarray(self._mmf, dtype=np.float64) / PPM
        margin = FLOAT_MARGIN * (2.0 * price_k + np.abs(index))
        factor = np.empty(2 * count)
        factor[0::2] = price_k * (1.0 - mmf) - index - margin  # longs
        factor[1::2] = price_k * (1.0 + mmf) - index + margin  # shorts: size < 0 flips signs
        return factor

    def _exactly_liquidatable(self, slot: int, marks: Mapping[str, MarketMark]) -> bool:
        rows = self._rows_of[slot]
        held = {m: (self._row_size_exact[r], self._row_entry_exact[r]) for m, r in rows.items()}
        return account_totals(self._collateral[slot], held, marks).liquidatable

    # -- storage ---------------------------------------------------------------------------

    def _set_collateral(self, slot: int, collateral: int) -> None:
        self._collateral[slot] = collateral
        wide = abs(collateral) >= WIDE
        self._collateral_int64[slot] = 0 if wide else collateral
        if wide:
            self._wide.add(slot)
        else:
            self._wide.discard(slot)

    def _new_slot(self, key: SubKey) -> int:
        if self._free_slots:
            slot = self._free_slots.pop()
            self._keys[slot] = key
        else:
            slot = len(self._keys)
            self._keys.append(key)
            self._collateral.append(0)
            self._collateral_int64.append(0)
            self._rows_of.append({})
            self._threshold.append(-np.inf)
        self._slot_of[key] = slot
        return slot

    def _new_row(self) -> int:
        if self._free_rows:
            return self._free_rows.pop()
        for int_column in (self._row_sub, self._row_side, self._row_size_exact):
            int_column.append(0)
        self._row_entry_exact.append(0)
        self._row_size.append(0.0)
        self._row_entry_term.append(0.0)
        return len(self._row_sub) - 1

    def _write_row(self, row: int, slot: int, market_id: str, size: int, index: int) -> None:
        self._row_sub[row] = slot
        self._row_side[row] = 2 * self._market_index[market_id] + (size < 0)
        self._row_size[row] = size
        entry = index / INDEX_SCALE
        self._row_entry_term[row] = size * entry - FLOAT_MARGIN * abs(size) * abs(entry)
        self._row_size_exact[row] = size
        self._row_entry_exact[row] = index

    def _free_row(self, row: int) -> None:
        """A free row contributes exactly 0 to whichever slot it still names."""
        self._row_size[row] = self._row_entry_term[row] = 0.0
        self._row_size_exact[row] = 0
        self._free_rows.append(row)
