"""When to retry an AWS call and how long to wait: capped exponential backoff with jitter.

Throttling (HTTP 429, ``TooManyRequestsException``, ``ThrottlingException``...) is retried for
every call; 5xx only for idempotent calls (see ``_client``). Any other error is final and
shown as is. ``Retry-After`` (seconds) is honoured.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass

THROTTLING_CODES = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)


def is_throttling(status: int, code: str | None) -> bool:
    """The service refused the call before doing anything: safe to send again."""
    return status == 429 or (code in THROTTLING_CODES)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.2
    max_delay: float = 10.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        wait = random.uniform(ceiling / 2, ceiling)
        if retry_after:
            with contextlib.suppress(ValueError):
                wait = max(wait, min(float(retry_after), self.max_delay))
        return wait
