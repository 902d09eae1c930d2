"""Where a Linux or macOS host keeps its CA bundle, in one list.

The sandbox copies the host's bundle into the root (as Amazon Linux lays it out); the base
image build hands it to pip. Both look in the same places, in the same order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

HOST_CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, Amazon Linux, RHEL
    "/etc/ssl/cert.pem",  # macOS, BSDs
)


def system_ca_bundle() -> Optional[Path]:
    """The first of :data:`HOST_CA_BUNDLES` present on this machine, or None."""
    return next((Path(p) for p in HOST_CA_BUNDLES if Path(p).is_file()), None)
