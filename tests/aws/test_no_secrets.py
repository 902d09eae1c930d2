"""No secret access key or session token in any output: CLI stdout/stderr on success and
on every kind of failure, reprs, and exception messages."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from native_lambda import aws
from native_lambda_toolchain.deploy import DeploySpec, LambdaApiError, LambdaClient, deploy

REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout + done.stderr


def _assert_clean(text: str, secrets: tuple[str, ...]) -> None:
    for secret in secrets:
        assert secret not in text
        # Not even a recognisable piece of it.
        assert secret[4:20] not in text


def test_cli_outputs_never_contain_secrets(
    aws_env, role_arn, dist_factory, tmp_path, secret_values, fault_proxy, moto_url
):
    dist = dist_factory()
    outputs = [
        _run(["deploy", "secretless", "--dist", str(dist), "--role", role_arn], aws_env, tmp_path),
        _run(["deploy", "secretless", "--dist", str(dist)], aws_env, tmp_path),  # second deploy
        _run(["deploy", "other", "--dist", str(dist)], aws_env, tmp_path),  # no role
        _run(["deploy", "x", "--dist", str(dist), "--role", "bad"], aws_env, tmp_path),
        _run(["invoke", "missing", "{}"], aws_env, tmp_path),
        _run(["invoke", "secretless", "{}"], aws_env, tmp_path),  # moto cannot run it
        _run(["invoke", "x", "{}", "--endpoint-url", "http://127.0.0.1:9"], aws_env, tmp_path),
    ]
    with fault_proxy(moto_url, failures=2) as proxy:
        outputs.append(
            _run(["invoke", "missing", "{}", "--endpoint-url", proxy.url], aws_env, tmp_path)
        )
    assert "retry 1/" in outputs[-1]
    # Secrets from a credential_process whose output is broken, or that fails loudly.
    script = tmp_path / "leak.py"
    script.write_text(
        f"import sys\nprint({secret_values[0]!r})\n"
        f"sys.stderr.write('partial ' + {secret_values[1]!r}[:2])\n"
    )
    (tmp_path / "config").write_text(
        f'[profile leaky]\ncredential_process = "{sys.executable}" "{script}"\n'
    )
    env = {
        k: v
        for k, v in aws_env.items()
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    }
    env.update(AWS_CONFIG_FILE=str(tmp_path / "config"), AWS_PROFILE="leaky")
    outputs.append(_run(["deploy", "x", "--dist", str(dist)], env, tmp_path))
    assert "not JSON" in outputs[-1]
    for text in outputs:
        _assert_clean(text, secret_values)
    assert "InvalidParameterValueException" in "".join(outputs) or "ValidationException" in "".join(
        outputs
    )


def test_objects_and_exceptions_never_contain_secrets(
    moto_url, creds, secret_values, dist_factory, tmp_path
):
    texts = [repr(creds), str(creds), repr(aws.CredentialsProvider(credentials=creds))]
    client = LambdaClient(endpoint=moto_url, region="us-east-1", credentials=creds)
    texts.append(repr(client._http.auth))
    with pytest.raises(LambdaApiError) as failed:
        deploy(client, DeploySpec("exc", dist=dist_factory(), role="nope"), log=texts.append)
    texts += [str(failed.value), repr(failed.value), repr(failed.value.args)]
    # Each failure below happens after the secret was read, and each must raise.
    (tmp_path / "credentials").write_text(
        f"[p]\naws_access_key_id =\naws_secret_access_key = {secret_values[0]}\n"
    )
    script = tmp_path / "fail.py"
    script.write_text(
        textwrap.dedent(f"""\
        import json, sys
        print(json.dumps({{"Version": 1, "AccessKeyId": "AKIA3",
                          "SecretAccessKey": {secret_values[0]!r}}}))
        sys.exit(5)
        """)
    )
    (tmp_path / "config").write_text(
        f'[profile proc]\ncredential_process = "{sys.executable}" "{script}"\n'
    )
    files = {
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    attempts = [
        ({"profile": "p", "env": files}, "needs both aws_access_key_id"),
        ({"env": dict(files, AWS_SECRET_ACCESS_KEY=secret_values[0])}, "AWS_ACCESS_KEY_ID"),
        ({"profile": "proc", "env": files}, "exited with status 5"),
    ]
    for kwargs, expected in attempts:
        with pytest.raises(aws.CredentialsError) as info:
            aws.resolve_credentials(**kwargs)
        assert expected in str(info.value)
        texts += [str(info.value), repr(info.value)]
    for text in texts:
        _assert_clean(text, secret_values)
