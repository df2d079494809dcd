"""Order-flow files: one JSON object per line, for benchmarks and replays.

``{"op": "limit"|"market"|"cancel", "id": int, "side": "buy"|"sell", "price": int,
"qty": int}`` — prices in ticks, quantities in lots (steps). ``cancel`` carries only
``id``; cancelling an id that no longer rests is a no-op. ``market`` carries its worst
acceptable price in ``price``.
"""

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import msgspec


class FlowOp(msgspec.Struct, frozen=True, omit_defaults=True):
    op: Literal["limit", "market", "cancel"]
    id: int
    side: Literal["buy", "sell"] | None = None
    price: int | None = None
    qty: int | None = None


def generate(ops: int, seed: int, mid: int = 50_000) -> Iterator[FlowOp]:
    """A mixed flow: ~60% resting limits near the mid, 25% cancels, 15% marketable orders.

    The mid follows a seeded random walk; resting limits sit 0–20 ticks behind it,
    marketable orders are market orders whose worst price is 50 ticks through it, and
    cancels pick a random earlier limit (which may already have traded: a no-op).
    """
    rng = random.Random(seed)
    limit_ids: list[int] = []
    for next_id in range(1, ops + 1):
        mid = max(100, mid + rng.choice((-1, 0, 0, 1)))
        roll = rng.random()
        buy = rng.random() < 0.5
        side: Literal["buy", "sell"] = "buy" if buy else "sell"
        if roll < 0.25 and limit_ids:
            victim = limit_ids.pop(rng.randrange(len(limit_ids)))
            yield FlowOp(op="cancel", id=victim)
        elif roll < 0.40:
            worst = mid + 50 if buy else mid - 50
            yield FlowOp(op="market", id=next_id, side=side, price=worst, qty=rng.randint(1, 10))
        else:
            behind = rng.randint(0, 20)
            price = mid - 1 - behind if buy else mid + 1 + behind
            limit_ids.append(next_id)
            yield FlowOp(op="limit", id=next_id, side=side, price=price, qty=rng.randint(1, 10))


def write(path: Path, flow: Iterator[FlowOp]) -> int:
    encoder = msgspec.json.Encoder()
    count = 0
    with path.open("wb") as out:
        for op in flow:
            out.write(encoder.encode(op) + b"\n")
            count += 1
    return count


def read(path: Path) -> list[FlowOp]:
    """Parse a flow file; a malformed line raises ValueError naming its line number."""
    decoder = msgspec.json.Decoder(FlowOp)
    ops = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                op = decoder.decode(line)
            except msgspec.ValidationError as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
            if op.op != "cancel" and None in (op.side, op.price, op.qty):
                raise ValueError(f"{path}:{number}: {op.op} needs side, price and qty")
            ops.append(op)
    return ops
