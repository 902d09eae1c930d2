"""requests over HTTPS: certifi's bundle travels with the binary and is what requests trusts."""

from __future__ import annotations

import os
import ssl
from typing import Any, Dict

import certifi
import requests


def handler(event: Dict[str, Any], context: Any) -> Dict[str, Any]:
    where = certifi.where()
    # certifi's bundle does not hold the test's CA: verification with it must fail
    try:
        requests.get(event["url"], timeout=10)
        default = "ok"
    except requests.exceptions.SSLError:
        default = "SSLError"
    reply = requests.get(event["url"], timeout=10, verify=os.environ["TEST_CA_FILE"])
    return {
        "status": reply.status_code,
        "body": reply.json(),
        "with_certifi": default,
        "certifi_in_task": where.startswith(os.environ.get("LAMBDA_TASK_ROOT", "/var/task")),
        "certifi_cas": ssl.create_default_context(cafile=where).cert_store_stats()["x509_ca"],
        "requests": requests.__version__,
    }
