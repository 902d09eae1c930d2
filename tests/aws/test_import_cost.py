"""``native_lambda.aws`` stays cheap to import and Python 3.9-compatible: it is compiled into
functions, where every import is cold-start time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import py39

REPO = Path(__file__).resolve().parents[2]
PROBE = r"""
import json, sys
before = set(sys.modules)
from native_lambda import aws
after_import = set(sys.modules) - before
creds = aws.Credentials("AKIAPROBE00000000001", "secret")
aws.sign_headers("GET", "https://s3.amazonaws.com/b/k?x=1", {"a": "b"}, b"", credentials=creds,
                 region="us-east-1", service="s3")
aws.presign_url("GET", "https://s3.amazonaws.com/b/k", credentials=creds, region="us-east-1",
                service="s3")
after_sign = set(sys.modules) - before
print(json.dumps({"import": sorted(after_import), "sign": sorted(after_sign)}))
"""


def _probe(python: str) -> dict[str, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    done = subprocess.run(
        [python, "-c", PROBE],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_import_loads_nothing_heavy() -> None:
    loaded = _probe(sys.executable)
    heavy = {
        "hashlib",
        "hmac",
        "httpx",
        "urllib.parse",
        "re",
        "subprocess",
        "http.client",
        "ssl",
        "configparser",
        "datetime",
    }
    assert heavy.isdisjoint(loaded["import"]), loaded["import"]
    # Signing needs hashlib/hmac, and still no HTTP stack, no regex engine, no urllib.
    assert {"hashlib", "hmac"} <= set(loaded["sign"])
    assert {"httpx", "urllib.parse", "re", "http.client", "ssl"}.isdisjoint(loaded["sign"])


@py39.requires
def test_runs_on_python_3_9() -> None:
    loaded = _probe(py39.interpreter())
    assert "hashlib" in loaded["sign"]
