"""Events: everything observable that a command caused, as typed, serializable values."""

import msgspec


class Event(msgspec.Struct, frozen=True, tag=True, kw_only=True):
    """Base of every event."""


class Rejected(Event, frozen=True, kw_only=True):
    """A command was refused and changed nothing: a stable ``code`` and a human message."""

    code: str
    message: str
