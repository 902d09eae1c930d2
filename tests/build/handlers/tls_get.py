"""Test handler compiled into the sandbox tests' bootstrap: an HTTPS GET with httpx.

The event names the URL; the CA comes from ``SSL_CERT_FILE`` (httpx's trust_env). The reply
also proves that certifi's bundle loads inside the binary (its data file shipped with it).
"""

from __future__ import annotations

import ssl
from typing import Any

import certifi
import httpx


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    with httpx.Client(timeout=10.0) as client:
        response = client.get(event["url"])
    where = certifi.where()
    certifi_ctx = ssl.create_default_context(cafile=where)
    return {
        "status": response.status_code,
        "body": response.text,
        "http_version": response.http_version,
        "certifi_where": where,
        "certifi_cas": certifi_ctx.cert_store_stats()["x509_ca"],
        "openssl": ssl.OPENSSL_VERSION,
    }
