"""Conversion between human decimal strings and integer units, exact or refused."""

from decimal import Decimal, InvalidOperation


def parse_units(text: str, unit: str | Decimal) -> int:
    """Convert a decimal string to an integer count of ``unit``; refuse anything inexact.

    parse_units("12.5", "0.1") == 125; parse_units("12.55", "0.1") raises ValueError.
    """
    try:
        value = Decimal(text)
        step = Decimal(unit)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {text!r}") from exc
    if not value.is_finite() or not step.is_finite() or step <= 0:
        raise ValueError(f"cannot express {text!r} in units of {unit!r}")
    count, remainder = divmod(value, step)
    if remainder != 0:
        raise ValueError(f"{text} is not a whole multiple of {unit}")
    return int(count)


def format_units(count: int, unit: str | Decimal) -> str:
    """Render an integer count of ``unit`` as a plain decimal string."""
    value = Decimal(count) * Decimal(unit)
    return format(value.normalize(), "f") if value != 0 else "0"
