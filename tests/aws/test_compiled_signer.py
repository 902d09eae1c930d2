"""``native_lambda.aws`` compiled into a bootstrap by Nuitka: credentials from the function's
environment, a signature and a presigned URL made inside the native binary must equal the
ones this (interpreted) process computes for the same inputs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from artifacts import unpack
from native_lambda import aws

pytestmark = pytest.mark.compile

HANDLER = textwrap.dedent("""\
    from native_lambda import aws

    PROVIDER = aws.CredentialsProvider()  # resolved on the first call, then cached


    def handler(event, context):
        creds = PROVIDER.get()
        region = aws.resolve_region()
        headers = aws.sign_headers(
            event["method"], event["url"], event["headers"], str(event["body"]).encode(),
            credentials=creds, region=region, service=event["service"], now=event["now"],
        )
        url = aws.presign_url(
            "GET", event["url"], credentials=creds, region=region, service=event["service"],
            now=event["now"],
        )
        return {"headers": headers, "presigned": url, "repr": repr(creds)}
""")


@pytest.fixture(scope="module")
def signing_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from native_lambda.handler_ref import HandlerRef
    from native_lambda_toolchain.build.config import BuildConfig
    from native_lambda_toolchain.build.pipeline import BuildRequest, build

    base = tmp_path_factory.mktemp("signer")
    project = base / "project"
    project.mkdir()
    (project / "signer_fn.py").write_text(HANDLER)
    # httpx is not needed to sign: leave it out so the compile stays short.
    config = BuildConfig(
        project_dir=project,
        handler=HandlerRef.parse("signer_fn.handler"),
        exclude_modules=("httpx",),
    )
    result = build(
        BuildRequest(config=config, target="host", out_dir=base / "dist", work_dir=base / "work")
    )
    root = base / "root"
    unpack(result.function_zip, root / "task")
    unpack(result.layer_zip, root / "opt")
    return root


def test_compiled_function_signs_like_the_library(signing_bootstrap: Path) -> None:
    emulator = pytest.importorskip("native_lambda_toolchain.emulator")
    task, opt = signing_bootstrap / "task", signing_bootstrap / "opt"
    secret, token = "compiled/SECRET+key0123456789abcdefghij", "compiled-TOKEN-xyz"
    env = {
        "LD_LIBRARY_PATH": f"{opt / 'lib'}:{task}",
        "LAMBDA_TASK_ROOT": str(task),
        "AWS_ACCESS_KEY_ID": "AKIACOMPILED00000001",
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_SESSION_TOKEN": token,
        "AWS_REGION": "eu-north-1",
    }
    event: dict[str, Any] = {
        "method": "PUT",
        "url": "https://bucket.s3.eu-north-1.amazonaws.com/a%20key/x?tagging=&b=2&a=1",
        "headers": {"Content-Type": "text/plain", "X-Amz-Meta-Note": "  two   spaces "},
        "body": "hello from a native binary",
        "service": "s3",
        "now": 1796000000,
    }
    with emulator.Emulator([str(task / "bootstrap")], env=env, cwd=str(task)) as emu:
        result = emu.invoke(json.dumps(event))
    assert result.status == 200, result.body
    got = result.json()
    creds = aws.Credentials("AKIACOMPILED00000001", secret, token)
    expected = aws.sign_headers(
        event["method"],
        event["url"],
        event["headers"],
        event["body"].encode(),
        credentials=creds,
        region="eu-north-1",
        service="s3",
        now=event["now"],
    )
    assert got["headers"] == expected
    assert got["presigned"] == aws.presign_url(
        "GET",
        event["url"],
        credentials=creds,
        region="eu-north-1",
        service="s3",
        now=event["now"],
    )
    assert secret not in got["repr"] and token not in got["repr"]
    assert got["repr"].startswith("Credentials(access_key_id='AKIA****'")
