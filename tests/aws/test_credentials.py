"""Credential and region sources, each exercised for real: files in temporary directories,
a real credential_process program, a real HTTP server as the container endpoint."""

from __future__ import annotations

import calendar
import http.server
import json
import pickle
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from native_lambda import aws
from native_lambda.aws._container import container_uri

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRETzz"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKENzz"


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update(extra)
    return env


def test_environment_variables(tmp_path):
    env = base_env(
        tmp_path,
        AWS_ACCESS_KEY_ID="AKIAENV0000000000001",
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_SESSION_TOKEN=TOKEN,
    )
    creds = aws.resolve_credentials(env=env)
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
        "AKIAENV0000000000001",
        SECRET,
        TOKEN,
    )
    assert creds.source == "environment"


def test_half_set_environment_is_an_error_naming_the_missing_variable(tmp_path):
    env = base_env(tmp_path, AWS_SECRET_ACCESS_KEY=SECRET)
    with pytest.raises(aws.CredentialsError) as info:
        aws.resolve_credentials(env=env)
    assert "AWS_ACCESS_KEY_ID" in str(info.value) and SECRET not in str(info.value)


def test_shared_files_and_profiles(tmp_path):
    (tmp_path / "credentials").write_text(
        textwrap.dedent("""\
        # comment
        [default]
        aws_access_key_id = AKIADEFAULT000000001
        aws_secret_access_key = default-secret ; trailing comment

        [dev]
        aws_access_key_id=AKIADEV0000000000001
        aws_secret_access_key=dev-secret
        aws_session_token = dev-token
        """)
    )
    (tmp_path / "config").write_text(
        textwrap.dedent("""\
        [default]
        region = eu-west-1
        [profile dev]
        region = ap-southeast-2
        s3 =
            max_concurrent_requests = 20
        [profile static]
        aws_access_key_id = AKIASTATIC0000000001
        aws_secret_access_key = static-secret
        region = us-west-2
        """)
    )
    env = base_env(tmp_path)
    assert aws.resolve_credentials(env=env).secret_access_key == "default-secret"
    assert aws.resolve_region(env=env) == "eu-west-1"

    env["AWS_PROFILE"] = "dev"
    creds = aws.resolve_credentials(env=env)
    assert (creds.access_key_id, creds.session_token) == ("AKIADEV0000000000001", "dev-token")
    assert "credentials file profile 'dev'" in creds.source
    assert aws.resolve_region(env=env) == "ap-southeast-2"

    static = aws.resolve_credentials(env=env, profile="static")
    assert static.access_key_id == "AKIASTATIC0000000001" and "config file" in static.source
    assert aws.resolve_region(env=env, profile="static") == "us-west-2"

    # Environment keys win over AWS_PROFILE, but not over an explicit profile argument.
    env.update(AWS_ACCESS_KEY_ID="AKIAENV0000000000001", AWS_SECRET_ACCESS_KEY=SECRET)
    assert aws.resolve_credentials(env=env).source == "environment"
    assert aws.resolve_credentials(env=env, profile="dev").access_key_id == "AKIADEV0000000000001"
    env["AWS_REGION"] = "sa-east-1"
    assert aws.resolve_region(env=env) == "sa-east-1"

    with pytest.raises(aws.CredentialsError, match="'nope' not found"):
        aws.resolve_credentials(env=env, profile="nope")


def test_files_default_to_home(tmp_path):
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAHOME000000000001\naws_secret_access_key = s\n"
    )
    creds = aws.resolve_credentials(env={"HOME": str(tmp_path)})
    assert creds.access_key_id == "AKIAHOME000000000001"


def test_malformed_file_names_file_and_line(tmp_path):
    (tmp_path / "credentials").write_text("[default]\nthis line has no equals sign\n")
    with pytest.raises(aws.CredentialsError, match=r"credentials:2: expected 'key = value'"):
        aws.resolve_credentials(env=base_env(tmp_path))


def test_no_credentials_at_all(tmp_path):
    with pytest.raises(aws.CredentialsError, match="no AWS credentials"):
        aws.resolve_credentials(env=base_env(tmp_path))


def write_process(tmp_path: Path, body: str, name: str = "creds tool.py") -> str:
    """A real credential_process program (a Python script); returns the config line value."""
    script = tmp_path / name
    script.write_text(f"import json, sys, pathlib, time\n{body}\n")
    return f'"{sys.executable}" "{script}"'


def test_credential_process(tmp_path):
    command = write_process(
        tmp_path,
        textwrap.dedent(f"""\
        print(json.dumps({{"Version": 1, "AccessKeyId": "AKIAPROC000000000001",
            "SecretAccessKey": "{SECRET}", "SessionToken": "{TOKEN}",
            "Expiration": "2099-01-02T03:04:05Z"}}))
        """),
    )
    (tmp_path / "config").write_text(f"[profile sso]\ncredential_process = {command}\n")
    creds = aws.resolve_credentials(env=base_env(tmp_path, AWS_PROFILE="sso"))
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
        "AKIAPROC000000000001",
        SECRET,
        TOKEN,
    )
    assert creds.expiration == calendar.timegm((2099, 1, 2, 3, 4, 5, 0, 0, 0))
    assert "credential_process" in creds.source


def test_credential_process_failures_do_not_leak(tmp_path):
    failing = write_process(
        tmp_path, "sys.stderr.write('token expired, run aws sso login\\n'); sys.exit(3)", "fail.py"
    )
    leaky = write_process(tmp_path, f"print('oops {SECRET}')", "leaky.py")
    old = write_process(tmp_path, 'print(json.dumps({"Version": 2}))', "old.py")
    (tmp_path / "config").write_text(
        f"[profile f]\ncredential_process = {failing}\n"
        f"[profile l]\ncredential_process = {leaky}\n"
        f"[profile o]\ncredential_process = {old}\n"
        "[profile m]\ncredential_process = /nonexistent/tool --flag\n"
    )
    env = base_env(tmp_path)
    expected = {
        "f": "exited with status 3: token expired, run aws sso login",
        "l": "not JSON",
        "o": '"Version": 1',
        "m": "command not found",
    }
    for profile, text in expected.items():
        with pytest.raises(aws.CredentialsError) as info:
            aws.resolve_credentials(env=env, profile=profile)
        assert text in str(info.value)
        assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_provider_refreshes_expiring_credentials(tmp_path):
    counter = tmp_path / "count"
    counter.write_text("0")
    command = write_process(
        tmp_path,
        textwrap.dedent(f"""\
        p = pathlib.Path({str(counter)!r}); n = int(p.read_text()) + 1; p.write_text(str(n))
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + float(sys.argv[1])))
        print(json.dumps({{"Version": 1, "AccessKeyId": "AKIAROTATING%08d" % n,
                          "SecretAccessKey": "s", "Expiration": exp}}))
        """),
        "rotating.py",
    )
    (tmp_path / "config").write_text(
        f"[profile short]\ncredential_process = {command} 60\n"
        f"[profile long]\ncredential_process = {command} 3600\n"
    )
    env = base_env(tmp_path)
    short = aws.CredentialsProvider(profile="short", env=env)
    first, second = short.get(), short.get()
    assert first.access_key_id != second.access_key_id  # within the 5-minute margin: refreshed
    long = aws.CredentialsProvider(profile="long", env=env)
    assert long.get() is long.get()
    assert counter.read_text() == "3"


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2099-01-02T03:04:05Z", 0),
        ("2099-01-02T03:04:05.250Z", 0.25),
        ("2099-01-02T05:04:05+02:00", 0),
        ("2099-01-02T00:04:05-03:00", 0),
    ],
)
def test_timestamps(text, offset):
    from native_lambda.aws._timeparse import parse_timestamp

    assert parse_timestamp(text) == calendar.timegm((2099, 1, 2, 3, 4, 5, 0, 0, 0)) + offset


class _Endpoint:
    """A container credentials endpoint on loopback that checks the Authorization token."""

    def __init__(self, token: str, fail_first: int = 0, status: int = 200) -> None:
        self.requests: list[tuple[str, str | None]] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                endpoint.requests.append((self.path, self.headers.get("Authorization")))
                if len(endpoint.requests) <= fail_first:
                    self.send_response(503)
                    self.end_headers()
                    return
                if self.headers.get("Authorization") != token or status != 200:
                    body = json.dumps({"message": f"denied {SECRET}"}).encode()
                    self.send_response(status if status != 200 else 401)
                else:
                    body = json.dumps(
                        {
                            "AccessKeyId": "AKIACONTAINER0000001",
                            "SecretAccessKey": SECRET,
                            "Token": TOKEN,
                            "Expiration": "2099-01-01T00:00:00Z",
                        }
                    ).encode()
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2/credentials/abc"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_container_endpoint_with_token_and_token_file(tmp_path):
    endpoint = _Endpoint("Bearer t0k3n", fail_first=1)
    try:
        env = base_env(
            tmp_path,
            AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.url,
            AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer t0k3n",
        )
        creds = aws.resolve_credentials(env=env)
        assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
            "AKIACONTAINER0000001",
            SECRET,
            TOKEN,
        )
        assert endpoint.requests[-1] == ("/v2/credentials/abc", "Bearer t0k3n")
        assert len(endpoint.requests) == 2  # the 503 was retried

        token_file = tmp_path / "token"
        token_file.write_text("Bearer t0k3n\n")
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored-when-a-file-is-given"
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = str(token_file)
        assert aws.resolve_credentials(env=env).access_key_id == "AKIACONTAINER0000001"

        token_file.write_text("wrong")
        with pytest.raises(aws.CredentialsError) as info:
            aws.resolve_credentials(env=env)
        assert "HTTP 401" in str(info.value) and SECRET not in str(info.value)
    finally:
        endpoint.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.attacker.example/creds",  # a name that starts with "127."
        "http://127.0.0.1.nip.io/creds",
        "http://localhost.attacker.example/creds",
        "http://example.com/creds",
        "http://10.0.0.1/creds",
        "http://169.254.169.254/creds",  # instance metadata is not the container endpoint
        "http://[fd00:ec2::24]/creds",
        "ftp://127.0.0.1/x",
        "127.0.0.1/no-scheme",
    ],
)
def test_container_endpoint_refuses_plain_http_off_loopback(tmp_path, url):
    env = base_env(tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=url)
    with pytest.raises(aws.CredentialsError, match="AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        aws.resolve_credentials(env=env)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/creds",
        "http://127.5.6.7/creds",
        "http://LOCALHOST:8080/creds",
        "http://[::1]:9/creds",
        "http://169.254.170.2/v2/credentials",
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials",
        "https://creds.example.com/anything",
    ],
)
def test_container_endpoint_accepts_loopback_and_ecs_eks_addresses(tmp_path, url):
    assert container_uri(base_env(tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=url)) == url


def test_container_endpoint_rules(tmp_path):
    env = base_env(tmp_path, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="/v2/credentials/xyz")
    assert container_uri(env) == "http://169.254.170.2/v2/credentials/xyz"
    env = base_env(tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:9/none")
    started = time.monotonic()
    with pytest.raises(aws.CredentialsError, match="unreachable"):
        aws.resolve_credentials(env=env, timeout=1)
    assert time.monotonic() - started < 10


def test_repr_and_pickle_never_show_secrets():
    creds = aws.Credentials("AKIAREPR000000000001", SECRET, TOKEN, source="test")
    for text in (
        repr(creds),
        str(creds),
        f"{creds}",
        repr([creds]),
        repr(aws.CredentialsProvider(credentials=creds)),
    ):
        assert SECRET not in text and TOKEN not in text and "AKIAREPR000000000001" not in text
        assert "****" in text
    with pytest.raises(TypeError):
        pickle.dumps(creds)
