"""Compiled into the container-built test bootstrap: an HTTPS GET with httpx.

Built in the bullseye image (Python 3.9): a compiled ``httpx.Client()`` once failed there
importing ``certifi.core``, so the reply also shows certifi's bundle loading in the binary.
"""

from __future__ import annotations

import ssl
import sys
from typing import Any, Dict

import certifi
import httpx


def handler(event: Dict[str, Any], context: Any) -> Dict[str, Any]:
    with httpx.Client(timeout=10.0) as client:
        response = client.get(event["url"])
    where = certifi.where()
    return {
        "status": response.status_code,
        "body": response.text,
        "certifi_where": where,
        "certifi_cas": ssl.create_default_context(cafile=where).cert_store_stats()["x509_ca"],
        "python": "{}.{}".format(*sys.version_info[:2]),
        "openssl": ssl.OPENSSL_VERSION,
    }
