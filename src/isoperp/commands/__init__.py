"""Commands: the typed, serializable inputs of the exchange state machine.

Every command carries ``ts``, its timestamp in integer milliseconds, assigned by the
sequencer; the engine never reads a clock. Commands are msgspec tagged structs, so a log of
them encodes to msgpack or JSON and decodes back to the same values.
"""

import msgspec


class Command(msgspec.Struct, frozen=True, tag=True, kw_only=True, gc=False):
    """Base of every command: ``ts`` is the sequencer's timestamp in milliseconds.
    Commands hold plain values only (no reference cycles), so gc=False."""

    ts: int
