"""The credential value and its error: a leaf module that every credential source imports
(the resolution chain in ``_credentials`` imports the sources, never the other way)."""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

# Refresh temporary credentials this long before they expire.
REFRESH_MARGIN_S = 300.0


class CredentialsError(Exception):
    """No usable credentials; the message says which source failed and why (never a secret)."""


class Credentials:
    """An access key pair, optionally temporary (session token + expiry).

    ``repr`` shows the first four characters of the key id and masks everything else, so
    credentials can be logged by accident without leaking.
    """

    __slots__ = ("access_key_id", "expiration", "secret_access_key", "session_token", "source")

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        session_token: Optional[str] = None,
        *,
        expiration: Optional[float] = None,
        source: str = "explicit",
    ) -> None:
        if not access_key_id or not secret_access_key:
            raise CredentialsError(f"{source}: access key id or secret access key is empty")
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token or None
        self.expiration = expiration  # seconds since the epoch, None = does not expire
        self.source = source

    def expired(self, margin: float = REFRESH_MARGIN_S, now: Optional[float] = None) -> bool:
        if self.expiration is None:
            return False
        return (time.time() if now is None else now) + margin >= self.expiration

    def __repr__(self) -> str:
        token = ", session_token='****'" if self.session_token else ""
        return (
            f"Credentials(access_key_id='{_mask(self.access_key_id)}', "
            f"secret_access_key='****'{token}, source={self.source!r})"
        )

    __str__ = __repr__

    def __reduce__(self) -> str:  # keep secrets out of pickles sent to other processes
        raise TypeError("Credentials are not picklable")


def _mask(value: str) -> str:
    return value[:4] + "****" if len(value) > 8 else "****"
