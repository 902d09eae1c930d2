"""Where requests go: ``endpoint_url``, ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``,
then the regional pattern; and S3's virtual-hosted or path-style addressing."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional


def resolve(metadata: Dict[str, str], region: str, endpoint_url: Optional[str]) -> str:
    if endpoint_url:
        return endpoint_url.rstrip("/")
    env = os.environ
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() != "true":
        service = (metadata.get("serviceId") or metadata["endpointPrefix"]).upper()
        found = env.get("AWS_ENDPOINT_URL_" + service.replace(" ", "_").replace("-", "_"))
        found = found or env.get("AWS_ENDPOINT_URL")
        if found:
            return found.rstrip("/")
    return regional(metadata, region)


def regional(metadata: Dict[str, str], region: str) -> str:
    """The service's standard regional endpoint."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{metadata['endpointPrefix']}.{region}.{suffix}"


def proxy_for(scheme: str, host: str) -> Optional[str]:
    """The proxy (host:port) for ``scheme`` requests to ``host``, as botocore reads it:
    ``HTTPS_PROXY``/``HTTP_PROXY`` (either case), except hosts ``NO_PROXY`` names."""
    env = os.environ
    value = env.get(scheme.upper() + "_PROXY") or env.get(scheme + "_proxy")
    if not value:
        return None
    for entry in (env.get("NO_PROXY") or env.get("no_proxy") or "").split(","):
        entry = entry.strip().lower()
        if entry == "*":
            return None
        entry = entry.lstrip("*").lstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return None
    netloc = value.partition("://")[2] if "://" in value else value
    netloc = netloc.split("/", 1)[0]
    if "@" in netloc:
        raise ValueError(
            f"{scheme.upper()}_PROXY={value!r}: proxy credentials are not supported; "
            "use a proxy that does not ask for them"
        )
    return netloc


def _is_ip(host: str) -> bool:
    if host.startswith("["):
        return True
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)


def virtual_host_ok(bucket: str, host: str, scheme: str, style: str) -> bool:
    """Whether ``bucket`` can go in the host name (``style`` is auto, virtual or path)."""
    if style == "path" or _is_ip(host) or host == "localhost":
        return False
    if not 3 <= len(bucket) <= 63 or bucket != bucket.lower():
        return False
    if "." in bucket and scheme == "https":
        return False  # the wildcard certificate does not cover dotted names
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-.")
    return all(c in allowed for c in bucket) and bucket[0].isalnum() and bucket[-1].isalnum()
