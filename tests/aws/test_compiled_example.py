"""The compiled example end to end on the AWS side: deployed to moto (twice: no new layer
version), then invoked through the Lambda Invoke API on the emulator's endpoint."""

from __future__ import annotations

import stat

import pytest

from artifacts import unpack
from native_lambda import aws
from native_lambda_toolchain.deploy import DeploySpec, LambdaClient, RetryPolicy, deploy

pytestmark = pytest.mark.compile


def test_compiled_example_deploys_to_moto_idempotently(built_example, moto_url, creds, role_arn):
    lines: list[str] = []
    with LambdaClient(
        endpoint=moto_url, region="us-east-1", credentials=creds, retry=RetryPolicy(base_delay=0.01)
    ) as client:
        spec = DeploySpec("compiled-greeting", dist=built_example.dist_dir, role=role_arn)
        first = deploy(client, spec, log=lines.append)
        second = deploy(client, spec, log=lines.append)
        versions = list(client.list_layer_versions(spec.layer))
    assert first.created
    assert not second.layer_published and not second.code_updated
    assert len(versions) <= 1  # one version, or none when the build bundles no library


def test_compiled_example_invoked_through_the_local_endpoint(built_example, tmp_path):
    emulator = pytest.importorskip("native_lambda_toolchain.emulator")
    task, opt = tmp_path / "task", tmp_path / "opt"
    unpack(built_example.function_zip, task)
    unpack(built_example.layer_zip, opt)
    bootstrap = task / "bootstrap"
    assert bootstrap.stat().st_mode & stat.S_IXUSR
    env = {"LD_LIBRARY_PATH": f"{opt / 'lib'}:{task}", "LAMBDA_TASK_ROOT": str(task)}
    creds = aws.Credentials("AKIALOCAL00000000001", "local-secret")
    with (
        emulator.Emulator([str(bootstrap)], env=env, cwd=str(task)) as emu,
        LambdaClient(endpoint=emu.url, region="us-east-1", credentials=creds) as client,
    ):
        ok = client.invoke("greeting", b'{"name": "native"}')
        assert ok.function_error is None, ok.payload
        assert b'"message":"Hello, native!"' in ok.payload
        assert ok.log_tail and "REPORT RequestId:" in ok.log_tail
        failed = client.invoke("greeting", b'{"name": ""}')
        assert failed.function_error == "Unhandled"
        assert b"EmptyNameError" in failed.payload
