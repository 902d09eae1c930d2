"""Deploy against a real moto server over HTTP, with requests signed by our SigV4 code."""

from __future__ import annotations

import base64
import hashlib
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from native_lambda import aws
from native_lambda_toolchain.deploy import (
    DeployError,
    DeploySpec,
    LambdaApiError,
    LambdaClient,
    RetryPolicy,
    deploy,
)

_names = itertools.count()
REPO = Path(__file__).resolve().parents[2]


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}-{id(_names) % 10000}"


def client_for(url: str, creds: aws.Credentials, **kwargs) -> LambdaClient:
    kwargs.setdefault("retry", RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05))
    return LambdaClient(endpoint=url, region="us-east-1", credentials=creds, **kwargs)


def layer_versions(client: LambdaClient, layer: str) -> list[dict]:
    return list(client.list_layer_versions(layer))


def test_first_deploy_creates_layer_and_function_second_changes_nothing(
    moto_url, creds, role_arn, dist_factory, fault_proxy
):
    name = unique("greeting")
    dist = dist_factory()
    spec = DeploySpec(
        name,
        dist=dist,
        role=role_arn,
        memory_mb=256,
        timeout_s=20,
        environment={"GREETING": "hello"},
        architecture="x86_64",
    )
    lines: list[str] = []
    with client_for(moto_url, creds) as client:
        first = deploy(client, spec, log=lines.append)
        assert first.created and first.layer_published
        config = client.get_function(name)
        assert config is not None
        assert config["Runtime"] == "provided.al2023"
        assert config["Handler"] == "bootstrap"
        assert config["MemorySize"] == 256 and config["Timeout"] == 20
        assert config["Role"] == role_arn
        assert config["Architectures"] == ["x86_64"]
        assert config["Environment"]["Variables"] == {"GREETING": "hello"}
        assert [layer["Arn"] for layer in config["Layers"]] == [first.layer_version_arn]
        digest = hashlib.sha256((dist / "function.zip").read_bytes()).digest()
        assert config["CodeSha256"] == base64.b64encode(digest).decode()
        versions = layer_versions(client, f"{name}-libs")
        assert len(versions) == 1
        layer_hash = hashlib.sha256((dist / "layer.zip").read_bytes()).hexdigest()
        assert versions[0]["Description"] == f"native-lambda sha256:{layer_hash}"

    # The second deploy goes through a recording proxy: moto must receive no write at all.
    with fault_proxy(moto_url, failures=0) as proxy, client_for(proxy.url, creds) as client:
        second = deploy(client, spec, log=lines.append)
        assert second.layer_version_arn == first.layer_version_arn
    assert proxy.forwarded and proxy.writes() == [], proxy.forwarded
    with client_for(moto_url, creds) as client:
        assert len(layer_versions(client, f"{name}-libs")) == 1
    assert any("unchanged" in line and "reusing version 1" in line for line in lines)


def test_code_change_updates_function_and_new_layer_gets_new_version(
    moto_url, creds, role_arn, dist_factory
):
    name = unique("changing")
    with client_for(moto_url, creds) as client:
        deploy(client, DeploySpec(name, dist=dist_factory("a"), role=role_arn), log=print)
        before = client.get_function(name)
        result = deploy(
            client, DeploySpec(name, dist=dist_factory("b", code="v2"), role=role_arn), log=print
        )
        after = client.get_function(name)
        assert result.code_updated and not result.layer_published
        assert before["CodeSha256"] != after["CodeSha256"] == result.code_sha256

        result = deploy(
            client,
            DeploySpec(
                name,
                dist=dist_factory("c", code="v2", libs="libfoo-2"),
                role=role_arn,
                memory_mb=512,
            ),
            log=print,
        )
        assert result.layer_published and not result.code_updated
        assert result.configuration_updated
        after = client.get_function(name)
        assert after["MemorySize"] == 512
        assert after["Layers"][0]["Arn"].endswith(f"{name}-libs:2")
        assert len(layer_versions(client, f"{name}-libs")) == 2


def test_existing_function_keeps_its_role_when_none_given(moto_url, creds, role_arn, dist_factory):
    name = unique("keep-role")
    with client_for(moto_url, creds) as client:
        deploy(client, DeploySpec(name, dist=dist_factory(), role=role_arn), log=print)
        deploy(client, DeploySpec(name, dist=dist_factory("b", code="v2")), log=print)
        assert client.get_function(name)["Role"] == role_arn


def test_api_errors_carry_aws_error_codes(moto_url, creds, role_arn, dist_factory):
    with client_for(moto_url, creds) as client:
        bad_role = f"arn:aws:iam::{ACCOUNT_ID}:role/does-not-exist"
        with pytest.raises(LambdaApiError) as info:
            deploy(
                client, DeploySpec(unique("norole"), dist=dist_factory(), role=bad_role), log=print
            )
        assert info.value.code == "InvalidParameterValueException"
        assert info.value.status == 400 and "role" in info.value.aws_message

        with pytest.raises(LambdaApiError) as info:
            deploy(
                client,
                DeploySpec(unique("badrole"), dist=dist_factory(), role="not-an-arn"),
                log=print,
            )
        assert info.value.code == "ValidationException"

        for call in (
            lambda: client.invoke("no-such-function", b"{}"),
            lambda: client.delete_function("no-such-function"),
            lambda: client.update_function_code(
                "no-such-function", b"PK", architectures=["x86_64"]
            ),
        ):
            with pytest.raises(LambdaApiError) as info:
                call()
            assert info.value.code == "ResourceNotFoundException"
            assert info.value.status == 404
        assert client.get_function("no-such-function") is None


def test_rejected_zip_is_shown_with_the_aws_code_and_not_retried(
    moto_url, creds, role_arn, dist_factory, fault_proxy
):
    """moto accepts any bytes as a zip, so AWS's answer to a bad zip is injected by the proxy
    (the same status, error type header and JSON body as Lambda's)."""
    message = "Could not unzip uploaded file. Please check your file, then try to upload again."
    with (
        fault_proxy(
            moto_url, failures=1, status=400, code="InvalidParameterValueException", message=message
        ) as proxy,
        client_for(proxy.url, creds) as client,
        pytest.raises(LambdaApiError) as info,
    ):
        client.create_function({"FunctionName": unique("badzip")}, b"not a zip")
    assert (info.value.code, info.value.status, info.value.aws_message) == (
        "InvalidParameterValueException",
        400,
        message,
    )
    assert len(proxy.seen) == 1


def test_missing_role_and_bad_zip_are_refused_before_any_call(creds, dist_factory, tmp_path):
    client = LambdaClient(
        endpoint="http://127.0.0.1:9",
        region="us-east-1",
        credentials=creds,
        retry=RetryPolicy(max_attempts=1),
    )
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "function.zip").write_bytes(b"garbage")
    with pytest.raises(DeployError, match="not a zip"):
        deploy(client, DeploySpec("x", dist=tmp_path / "broken", role="r"), log=print)
    with pytest.raises(DeployError, match="native-lambda build"):
        deploy(client, DeploySpec("x", dist=tmp_path / "nothing", role="r"), log=print)


def test_delete_function(moto_url, creds, role_arn, dist_factory):
    name = unique("deleted")
    with client_for(moto_url, creds) as client:
        deploy(client, DeploySpec(name, dist=dist_factory(), role=role_arn), log=print)
        client.delete_function(name)
        assert client.get_function(name) is None


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "TooManyRequestsException"), (400, "ThrottlingException"), (503, "ServiceException")],
)
def test_throttling_and_5xx_are_retried(
    moto_url, creds, role_arn, dist_factory, fault_proxy, status, code
):
    name = unique("throttled")
    waits: list[float] = []
    with (
        fault_proxy(moto_url, failures=4, status=status, code=code) as proxy,
        client_for(proxy.url, creds, sleep=waits.append) as client,
    ):
        result = deploy(client, DeploySpec(name, dist=dist_factory(), role=role_arn), log=print)
        assert result.created
        assert client.retries == 4
    assert proxy.rejected == 4
    assert len(waits) >= 4 and all(w > 0 for w in waits[:4])
    assert waits[1] <= 0.05  # capped by the policy given


def test_retries_give_up_with_the_throttling_code(moto_url, creds, dist_factory, fault_proxy):
    with (
        fault_proxy(moto_url, failures=100) as proxy,
        client_for(proxy.url, creds, sleep=lambda s: None) as client,
        pytest.raises(LambdaApiError) as info,
    ):
        client.get_function("anything")
    assert info.value.code == "TooManyRequestsException" and info.value.status == 429
    assert len(proxy.seen) == 6  # max_attempts


def test_other_errors_are_not_retried(moto_url, creds, fault_proxy):
    with (
        fault_proxy(moto_url, failures=0) as proxy,
        client_for(proxy.url, creds) as client,
        pytest.raises(LambdaApiError),
    ):
        client.invoke("no-such-function", b"{}")
    assert len(proxy.seen) == 1


# --- the CLI and the scripts against moto ------------------------------------------------

ACCOUNT_ID = "123456789012"


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_deploy_twice_and_errors(aws_env, role_arn, dist_factory, tmp_path):
    name = unique("cli")
    dist = dist_factory()
    env = dict(aws_env, LAMBDA_ROLE_ARN=role_arn)
    args = ["deploy", name, "--dist", str(dist), "--memory", "256", "--timeout", "30"]
    args += ["--env", "A=1", "--env", "B=two=2", "--architecture", "arm64"]
    first = run_cli(args, env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "published version 1" in first.stdout and "created" in first.stdout
    assert first.stdout.strip().endswith(f"function:{name}")
    second = run_cli(args, env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "reusing version 1" in second.stdout
    assert "code unchanged" in second.stdout and "configuration unchanged" in second.stdout

    # No role anywhere: a clear local message, exit status 2.
    missing = run_cli(["deploy", unique("cli-norole"), "--dist", str(dist)], aws_env, tmp_path)
    assert missing.returncode == 2
    assert "LAMBDA_ROLE_ARN" in missing.stderr and "Traceback" not in missing.stderr
    # An unknown role: AWS's code and message, exit status 1.
    bad = run_cli(
        [
            "deploy",
            unique("cli-bad"),
            "--dist",
            str(dist),
            "--role",
            f"arn:aws:iam::{ACCOUNT_ID}:role/missing",
        ],
        aws_env,
        tmp_path,
    )
    assert bad.returncode == 1
    assert "AWS error InvalidParameterValueException (HTTP 400)" in bad.stderr
    unknown = run_cli(["invoke", "no-such-function", "{}"], aws_env, tmp_path)
    assert unknown.returncode == 1
    assert "AWS error ResourceNotFoundException (HTTP 404)" in unknown.stderr
    deleted = run_cli(["deploy", name, "--delete"], aws_env, tmp_path)
    assert deleted.returncode == 0 and "deleted" in deleted.stdout


def test_role_from_pyproject(aws_env, role_arn, dist_factory, tmp_path):
    name = unique("pyproject")
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.native-lambda]\nrole = "{role_arn}"\nfunction-name = "{name}"\nmemory = 192\n'
    )
    dist_factory()
    done = run_cli(["deploy"], aws_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"function {name}: created" in done.stdout


def test_scripts_deploy_then_invoke(aws_env, dist_factory, tmp_path):
    """The original three-step workflow (build is covered by the build tests) against moto:
    the role from the local_role helper, deploy.sh twice with LAMBDA_ROLE_ARN from the
    environment, then invoke.sh."""
    name = unique("script")
    dist = dist_factory()
    bindir = Path(sys.executable).parent
    role = subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain.deploy.local_role", "script-role"],
        env=aws_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    assert role == f"arn:aws:iam::{ACCOUNT_ID}:role/script-role"
    env = dict(
        aws_env, LAMBDA_ROLE_ARN=role, LAMBDA_FUNCTION_NAME=name, PATH=f"{bindir}:{aws_env['PATH']}"
    )
    for expected in ("published version 1", "reusing version 1"):
        done = subprocess.run(
            [str(REPO / "scripts/deploy.sh"), "--dist", str(dist)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout
    # moto cannot run functions here (Docker images): its error must still come out clearly.
    done = subprocess.run(
        [str(REPO / "scripts/invoke.sh"), "no-such-" + name],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "AWS error ResourceNotFoundException (HTTP 404)" in done.stderr


def test_cli_deploys_the_architecture_of_the_build_record(
    aws_env, role_arn, dist_factory, tmp_path
):
    from native_lambda_toolchain.dist import BuildRecord, write_record

    name = unique("arm")
    dist = dist_factory("arm")
    write_record(
        dist,
        BuildRecord(
            handler="app.handler", target="al2023", architecture="arm64", python_version="3.13"
        ),
    )
    env = dict(aws_env, LAMBDA_ROLE_ARN=role_arn)
    done = run_cli(["deploy", name, "--dist", str(dist)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    with client_for(aws_env["AWS_ENDPOINT_URL"], aws.Credentials("AKIAX", "s")) as client:
        config = client.get_function(name)
        assert config["Architectures"] == ["arm64"]
        (layer,) = layer_versions(client, f"{name}-libs")
        assert layer["CompatibleArchitectures"] == ["arm64"]

    assert "dev build" not in done.stdout

    clash = run_cli(
        ["deploy", name, "--dist", str(dist), "--architecture", "x86_64"], env, tmp_path
    )
    assert clash.returncode == 2 and "Traceback" not in clash.stderr
    assert "--architecture x86_64 contradicts" in clash.stderr and "build.json" in clash.stderr

    bare = dist_factory("no-record")
    guessed = run_cli(["deploy", unique("guess"), "--dist", str(bare)], env, tmp_path)
    assert guessed.returncode == 0, guessed.stderr
    assert "no " in guessed.stdout and "build.json" in guessed.stdout
    assert "this machine's architecture" in guessed.stdout


def test_cli_deploy_notes_a_dev_build(aws_env, role_arn, dist_factory, tmp_path):
    from native_lambda_toolchain.dist import BuildRecord, write_record

    dist = dist_factory("dev")
    record = BuildRecord(
        handler="app.handler", target="al2023", architecture="x86_64", python_version="3.13"
    )
    record.profile = "dev"
    write_record(dist, record)
    env = dict(aws_env, LAMBDA_ROLE_ARN=role_arn)
    done = run_cli(["deploy", unique("dev"), "--dist", str(dist)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "says this is a dev build" in done.stdout and "rebuild without --profile" in done.stdout


def test_cli_invoke_says_when_moto_could_not_run_the_function(
    aws_env, role_arn, dist_factory, tmp_path
):
    """moto runs functions in Docker with an image from a registry; when that fails it
    answers with a function-error header although the function never ran."""
    name = unique("moto-run")
    env = dict(aws_env, LAMBDA_ROLE_ARN=role_arn)
    assert run_cli(["deploy", name, "--dist", str(dist_factory())], env, tmp_path).returncode == 0
    done = run_cli(["invoke", name, "{}"], env, tmp_path)
    assert done.returncode == 1
    assert "could not run the function, which never ran" in done.stderr, done.stderr
    assert "native-lambda invoke --local" in done.stderr and "run --serve" in done.stderr
    assert "function error (Handled)" not in done.stderr
    assert done.stdout == ""
