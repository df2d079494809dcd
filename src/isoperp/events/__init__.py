"""Events: everything observable that a command caused, as typed, serializable values."""

import msgspec


class Event(msgspec.Struct, frozen=True, tag=True, kw_only=True, gc=False):
    """Base of every event. Events hold plain values only, which cannot form reference
    cycles, so they stay out of the cyclic garbage collector (gc=False)."""


class Rejected(Event, frozen=True, kw_only=True):
    """A command was refused and changed nothing: a stable ``code`` and a human message."""

    code: str
    message: str
