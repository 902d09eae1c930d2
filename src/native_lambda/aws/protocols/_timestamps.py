"""Timestamps in the three wire formats (ISO 8601, epoch seconds, RFC 822), both ways.

Inputs may be ``datetime`` (naive means UTC), an ISO 8601 string or epoch seconds, as boto3
accepts. Parsed values are timezone-aware UTC ``datetime``s.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Union

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_datetime(value: Any) -> datetime:
    """A parameter value as an aware UTC datetime; ``TypeError`` if it is not a time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return EPOCH + timedelta(seconds=value)
    if isinstance(value, str):
        return parse(value)
    raise TypeError(f"expected a datetime, an ISO 8601 string or epoch seconds, not {value!r}")


def epoch(value: datetime) -> Union[int, float]:
    """Epoch seconds: an int when there are no microseconds, as botocore writes them."""
    delta = value - EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
    return micros // 1000000 if not delta.microseconds else micros / 1000000


def iso8601(value: datetime) -> str:
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc822(value: datetime) -> str:
    day = _DAYS[value.weekday()]
    month = _MONTHS[value.month - 1]
    clock = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return f"{day}, {value.day:02d} {month} {value.year:04d} {clock} GMT"


def serialize(value: Any, fmt: str) -> Any:
    """A parameter value in wire format ``fmt`` (iso8601, unixtimestamp or rfc822)."""
    when = to_datetime(value)
    if fmt == "unixtimestamp":
        return epoch(when)
    if fmt == "rfc822":
        return rfc822(when)
    return iso8601(when)


def parse(text: Any) -> datetime:
    """Any of the wire formats (or epoch seconds as a number) to an aware UTC datetime."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return EPOCH + timedelta(seconds=text)
    value = str(text).strip()
    try:
        return EPOCH + timedelta(seconds=float(value))
    except ValueError:
        pass
    if value[:3] in _DAYS or (len(value) > 3 and value[3] == " "):
        return _parse_rfc822(value)
    return _parse_iso(value)


def _parse_rfc822(value: str) -> datetime:
    parts = value.replace(",", " ").split()
    if parts and parts[0][:3] in _DAYS:
        parts = parts[1:]
    try:
        day, month, year, clock = parts[0], parts[1], parts[2], parts[3]
        hour, minute, second = (int(x) for x in clock.split(":"))
        return datetime(
            int(year), _MONTHS.index(month[:3]) + 1, int(day), hour, minute, second, 0, UTC
        )
    except (ValueError, IndexError):
        raise ValueError(f"not an RFC 822 timestamp: {value!r}") from None


def _parse_iso(value: str) -> datetime:
    offset = 0
    if value[-1:] in "Zz":
        value = value[:-1]
    elif len(value) > 19 and value[-6] in "+-" and value[-3] == ":":
        sign = 1 if value[-6] == "+" else -1
        offset = sign * (int(value[-5:-3]) * 60 + int(value[-2:]))
        value = value[:-6]
    try:
        date, _, clock = value.replace(" ", "T").partition("T")
        year, month, day = (int(x) for x in date.split("-"))
        hms, _, frac = (clock or "00:00:00").partition(".")
        hour, minute, second = (int(x) for x in hms.split(":"))
        micros = int((frac + "000000")[:6]) if frac else 0
        result = datetime(year, month, day, hour, minute, second, micros, UTC)
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
    return result - timedelta(minutes=offset)
