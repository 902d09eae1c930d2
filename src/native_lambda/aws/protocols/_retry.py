"""The standard retry mode: which failures are retried, backoff with full jitter, and the
retry quota that stops a client from retrying into an outage."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional

MAX_BACKOFF = 20.0
INITIAL_QUOTA = 500
RETRY_COST = 5
TIMEOUT_COST = 10

THROTTLING = frozenset(
    (
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    )
)
TRANSIENT_CODES = frozenset(
    ("RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete")
)
TRANSIENT_STATUS = frozenset((500, 502, 503, 504))
_READ_ONLY = ("Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Receive")


class Quota:
    """Tokens shared by every client of a service in the process."""

    def __init__(self) -> None:
        self.available = INITIAL_QUOTA

    def take(self, timeout: bool) -> int:
        cost = TIMEOUT_COST if timeout else RETRY_COST
        if cost > self.available:
            return 0
        self.available -= cost
        return cost

    def refund(self, amount: int) -> None:
        self.available = min(INITIAL_QUOTA, self.available + (amount or 1))


_QUOTAS: Dict[str, Quota] = {}


def quota(endpoint: str) -> Quota:
    found = _QUOTAS.get(endpoint)
    if found is None:
        found = _QUOTAS[endpoint] = Quota()
    return found


def retryable_answer(status: int, code: Optional[str]) -> bool:
    return status in TRANSIENT_STATUS or code in THROTTLING or code in TRANSIENT_CODES


def idempotent(op: Dict, has_token: bool) -> bool:
    """Safe to send twice: read-only by name or HTTP method, or carrying a token."""
    if has_token:
        return True
    method = op.get("http", {}).get("method", "POST")
    return method in ("GET", "HEAD") or op["name"].startswith(_READ_ONLY)


def backoff(attempt: int) -> float:
    """Seconds before retry number ``attempt`` (1-based): full jitter, capped."""
    import random

    return random.random() * min(MAX_BACKOFF, 2.0 ** (attempt - 1))
