"""STARK public keys as canonical lowercase hex strings, the form governance state stores."""

from itertools import pairwise

from isoperp.crypto import FIELD_PRIME


def key_hex(value: int) -> str:
    """The canonical text of a key: "0x" and lowercase hex digits without leading zeros."""
    return hex(value)


def parse_key(text: object) -> int | None:
    """The key's integer if ``text`` is a canonical key string in (0, FIELD_PRIME); else None."""
    if not isinstance(text, str) or not text.startswith("0x"):
        return None
    try:
        value = int(text, 16)
    except ValueError:
        return None
    if not 0 < value < FIELD_PRIME or hex(value) != text:
        return None
    return value


def is_canonical_keyset(keys: object) -> bool:
    """A key set is a tuple of canonical keys, strictly ascending by value (so no duplicates)."""
    if not isinstance(keys, tuple):
        return False
    values = [parse_key(k) for k in keys]
    if any(v is None for v in values):
        return False
    return all(a < b for a, b in pairwise(values))  # type: ignore[operator]


def sorted_keyset(keys: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Keys ordered as a canonical key set requires (by integer value)."""
    return tuple(sorted(keys, key=lambda k: int(k, 16)))
