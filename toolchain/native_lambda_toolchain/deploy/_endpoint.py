"""Where Lambda API calls go: ``--endpoint-url`` > ``AWS_ENDPOINT_URL_LAMBDA`` >
``AWS_ENDPOINT_URL`` > the regional AWS endpoint (the AWS CLI's order)."""

from __future__ import annotations

import os
from collections.abc import Mapping

LOCAL_ENDPOINT = "http://127.0.0.1:8080"


def resolve_endpoint(
    endpoint_url: str | None, region: str, env: Mapping[str, str] | None = None
) -> str:
    env = os.environ if env is None else env
    url = endpoint_url or env.get("AWS_ENDPOINT_URL_LAMBDA") or env.get("AWS_ENDPOINT_URL")
    if url:
        return url.rstrip("/")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://lambda.{region}.{suffix}"
