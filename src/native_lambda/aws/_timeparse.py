"""ISO 8601 timestamps as AWS credential sources write them, to seconds since the epoch."""

from __future__ import annotations


def parse_timestamp(text: str) -> float:
    """``2026-11-28T02:00:00Z`` / ``...00.123Z`` / ``...00+00:00`` → epoch seconds (UTC)."""
    import calendar

    value = text.strip()
    offset = 0
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1]
    elif len(value) > 19 and value[-6] in "+-" and value[-3] == ":":
        sign = 1 if value[-6] == "+" else -1
        offset = sign * (int(value[-5:-3]) * 3600 + int(value[-2:]) * 60)
        value = value[:-6]
    try:
        date, _, clock = value.partition("T")
        year, month, day = (int(x) for x in date.split("-"))
        hms, _, frac = clock.partition(".")
        hour, minute, second = (int(x) for x in hms.split(":"))
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}") from None
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    return seconds + (float("0." + frac) if frac else 0.0) - offset
