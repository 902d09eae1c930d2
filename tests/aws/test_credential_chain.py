"""The credential sources beyond static keys, each against a real server: moto's STS for
assume-role and web identity, small loopback HTTP servers for the SSO portal and IMDSv2."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from native_lambda import aws

ROLE = "arn:aws:iam::123456789012:role/deployer"


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/",
    }
    env.update(extra)
    return env


class Server:
    """A loopback HTTP server whose answers come from ``answer(method, path, headers)``."""

    def __init__(self, answer: Callable[[str, str, dict[str, str]], tuple[int, bytes]]) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append((self.command, self.path, headers))
                status, body = answer(self.command, self.path, headers)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = _any

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()


# --- assume-role and web identity against moto's STS ------------------------------------


def test_assume_role_with_source_profile_chain(tmp_path, moto_url):
    (tmp_path / "credentials").write_text(
        "[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = base-s\n"
    )
    (tmp_path / "config").write_text(
        f"[profile first]\nrole_arn = {ROLE}\nsource_profile = base\n"
        "role_session_name = first-session\n"
        f"[profile second]\nrole_arn = {ROLE}2\nsource_profile = first\n"
    )
    env = base_env(tmp_path, AWS_ENDPOINT_URL_STS=moto_url, AWS_REGION="eu-west-1")
    first = aws.resolve_credentials(profile="first", env=env)
    assert first.access_key_id.startswith("ASIA") and first.session_token
    assert first.expiration and first.expiration > time.time()
    assert "assume-role profile 'first'" in first.source and "'base'" in first.source
    second = aws.resolve_credentials(env=dict(env, AWS_PROFILE="second"))
    assert second.access_key_id.startswith("ASIA") and second.access_key_id != first.access_key_id
    assert "assume-role profile 'second'" in second.source


def test_assume_role_with_credential_source_environment(tmp_path, moto_url):
    (tmp_path / "config").write_text(
        f"[profile ci]\nrole_arn = {ROLE}\ncredential_source = Environment\n"
    )
    env = base_env(
        tmp_path,
        AWS_ENDPOINT_URL_STS=moto_url,
        AWS_ACCESS_KEY_ID="AKIAENVSOURCE0000001",
        AWS_SECRET_ACCESS_KEY="env-secret",
    )
    creds = aws.resolve_credentials(profile="ci", env=env)
    assert creds.access_key_id.startswith("ASIA") and "via environment" in creds.source


def test_web_identity_from_the_environment(tmp_path, moto_url):
    token = tmp_path / "oidc-token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.payload.signature\n")
    env = base_env(
        tmp_path,
        AWS_ENDPOINT_URL_STS=moto_url,
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token),
        AWS_ROLE_ARN=ROLE,
        AWS_ROLE_SESSION_NAME="ci-run",
    )
    creds = aws.resolve_credentials(env=env)
    assert creds.access_key_id.startswith("ASIA") and creds.session_token
    assert "web identity" in creds.source and ROLE in creds.source


def test_sts_errors_are_reported_with_their_code(tmp_path, moto_url):
    (tmp_path / "config").write_text(
        "[profile bad]\nrole_arn = not-an-arn\ncredential_source = Environment\n"
    )
    env = base_env(
        tmp_path,
        AWS_ENDPOINT_URL_STS="http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID="AKIAENVSOURCE0000001",
        AWS_SECRET_ACCESS_KEY="env-secret",
    )
    with pytest.raises(aws.CredentialsError, match=r"STS at http://127\.0\.0\.1:9/ unreachable"):
        aws.resolve_credentials(profile="bad", env=env)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (f"role_arn = {ROLE}\n", "profile 'p' uses role_arn, which needs source_profile"),
        (
            f"role_arn = {ROLE}\nsource_profile = p\nmfa_serial = arn:aws:iam::1:mfa/me\n",
            "profile 'p' uses mfa_serial, which needs an MFA code",
        ),
        (
            f"role_arn = {ROLE}\ncredential_source = Ec2Something\n",
            "credential_source 'Ec2Something', which is not one of Environment",
        ),
        (
            f"role_arn = {ROLE}\nsource_profile = ghost\n",
            "source_profile 'ghost', which is not in the shared config",
        ),
        (f"role_arn = {ROLE}\nsource_profile = q\n", "source_profile loop (p -> q -> p)"),
        ("sso_session = corp\nsso_account_id = 1\nsso_role_name = r\n", "[sso-session corp]"),
        ("web_identity_token_file = /t\n", "uses web_identity_token_file, which needs role_arn"),
    ],
)
def test_unsupported_or_incomplete_profiles_name_the_setting(tmp_path, config, expected):
    (tmp_path / "config").write_text(
        f"[profile p]\n{config}[profile q]\nrole_arn = {ROLE}\nsource_profile = p\n"
    )
    with pytest.raises(aws.CredentialsError) as info:
        aws.resolve_credentials(profile="p", env=base_env(tmp_path))
    assert expected in str(info.value)
    assert "no AWS credentials" not in str(info.value)


# --- SSO ---------------------------------------------------------------------------------


def _sso_setup(tmp_path: Path, expires: str) -> None:
    (tmp_path / "config").write_text(
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
        "sso_role_name = Developer\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-central-1\n"
    )
    cache = tmp_path / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    name = hashlib.sha1(b"corp").hexdigest() + ".json"
    (cache / name).write_text(json.dumps({"accessToken": "sso-token-1", "expiresAt": expires}))


def _portal(method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    url = urllib.parse.urlsplit(path)
    query = dict(urllib.parse.parse_qsl(url.query))
    if headers.get("x-amz-sso_bearer_token") != "sso-token-1":
        return 401, b'{"message": "Session token not found or invalid"}'
    if url.path != "/federation/credentials" or query != {
        "role_name": "Developer",
        "account_id": "111122223333",
    }:
        return 404, b"{}"
    body = {
        "roleCredentials": {
            "accessKeyId": "ASIASSO0000000000001",
            "secretAccessKey": "sso-secret",
            "sessionToken": "sso-session-token",
            "expiration": int(time.time() + 3600) * 1000,
        }
    }
    return 200, json.dumps(body).encode()


def test_sso_session_profile_uses_the_token_cache(tmp_path):
    _sso_setup(tmp_path, "2099-01-01T00:00:00Z")
    with Server(_portal) as portal:
        env = base_env(tmp_path, AWS_PROFILE="dev", AWS_ENDPOINT_URL_SSO=portal.url)
        creds = aws.resolve_credentials(env=env)
    assert (creds.access_key_id, creds.session_token) == (
        "ASIASSO0000000000001",
        "sso-session-token",
    )
    assert creds.expiration and creds.expiration > time.time() + 3000
    assert "SSO profile 'dev'" in creds.source and len(portal.requests) == 1


def test_expired_sso_token_says_to_log_in(tmp_path):
    _sso_setup(tmp_path, "2001-01-01T00:00:00Z")
    with pytest.raises(aws.CredentialsError, match="aws sso login --sso-session corp"):
        aws.resolve_credentials(env=base_env(tmp_path, AWS_PROFILE="dev"))


# --- IMDSv2 ------------------------------------------------------------------------------


def _imds(method: str, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    if path == "/latest/api/token":
        if method != "PUT" or headers.get("x-aws-ec2-metadata-token-ttl-seconds") != "21600":
            return 400, b""
        return 200, b"imds-token-1"
    if headers.get("x-aws-ec2-metadata-token") != "imds-token-1":
        return 401, b""  # IMDSv1 (no token) is refused, as with HttpTokens=required
    if path == "/latest/meta-data/iam/security-credentials/":
        return 200, b"instance-role"
    if path == "/latest/meta-data/iam/security-credentials/instance-role":
        body = {
            "Code": "Success",
            "AccessKeyId": "ASIAIMDS000000000001",
            "SecretAccessKey": "imds-secret",
            "Token": "imds-session",
            "Expiration": "2099-01-01T00:00:00Z",
        }
        return 200, json.dumps(body).encode()
    return 404, b""


def test_instance_metadata_v2(tmp_path):
    with Server(_imds) as imds:
        env = base_env(tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        creds = aws.resolve_credentials(env=env)
        assert (creds.access_key_id, creds.session_token) == (
            "ASIAIMDS000000000001",
            "imds-session",
        )
        assert "role instance-role" in creds.source
        assert [r[0] for r in imds.requests] == ["PUT", "GET", "GET"]

        with pytest.raises(aws.CredentialsError, match=r"off \(AWS_EC2_METADATA_DISABLED\)"):
            aws.resolve_credentials(env=dict(env, AWS_EC2_METADATA_DISABLED="true"))
        assert len(imds.requests) == 3


def test_role_from_instance_metadata_source(tmp_path, moto_url):
    (tmp_path / "config").write_text(
        f"[profile box]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n"
    )
    with Server(_imds) as imds:
        env = base_env(
            tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url, AWS_ENDPOINT_URL_STS=moto_url
        )
        creds = aws.resolve_credentials(profile="box", env=env)
    assert creds.access_key_id.startswith("ASIA") and "EC2 instance metadata" in creds.source


def test_no_credentials_lists_the_sources_tried(tmp_path):
    with pytest.raises(aws.CredentialsError) as info:
        aws.resolve_credentials(env=base_env(tmp_path))
    message = str(info.value)
    assert "no AWS credentials" in message
    assert "role_arn" in message and "sso_session" in message
    assert "AWS_WEB_IDENTITY_TOKEN_FILE" in message
    assert "no IMDSv2 token from http://127.0.0.1:9/" in message
