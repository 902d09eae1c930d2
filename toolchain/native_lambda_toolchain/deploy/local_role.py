"""Create (or find) a Lambda execution role on a local AWS endpoint such as moto or
LocalStack, and print its ARN — so that ``scripts/deploy.sh`` works there as against AWS:

    export LAMBDA_ROLE_ARN=$(python -m native_lambda_toolchain.deploy.local_role \\
                             --endpoint-url http://127.0.0.1:5000)

Refuses AWS's own endpoints: a real account's roles are not created by a demo helper.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

import httpx

from native_lambda.aws import Credentials, CredentialsError, resolve_credentials, sigv4_auth

TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def ensure_role(endpoint: str, name: str, credentials: Credentials) -> str:
    """The ARN of role ``name`` on ``endpoint``, created if missing (IAM query API)."""
    if "amazonaws.com" in endpoint:
        raise ValueError("local_role only talks to local endpoints (moto, LocalStack)")
    auth = sigv4_auth(credentials, region="us-east-1", service="iam")
    with httpx.Client(base_url=endpoint, auth=auth, timeout=30) as client:
        form = {"Version": "2010-05-08", "RoleName": name}
        response = client.post("/", data={**form, "Action": "GetRole"})
        if response.status_code != 200:
            response = client.post(
                "/",
                data={
                    **form,
                    "Action": "CreateRole",
                    "AssumeRolePolicyDocument": json.dumps(TRUST_POLICY),
                },
            )
        if response.status_code != 200:
            raise RuntimeError(f"IAM answered HTTP {response.status_code}: {response.text[:300]}")
    match = re.search(r"<Arn>([^<]+)</Arn>", response.text)
    if match is None:
        raise RuntimeError("IAM answer has no role ARN")
    return match.group(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m native_lambda_toolchain.deploy.local_role")
    parser.add_argument("name", nargs="?", default="native-lambda-local")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    args = parser.parse_args(argv)
    if not args.endpoint_url:
        parser.error("--endpoint-url (or AWS_ENDPOINT_URL) is required")
    try:
        credentials = resolve_credentials()
    except CredentialsError:  # moto and LocalStack accept any key
        credentials = Credentials("AKIALOCALTEST0000000", "local-test-secret", source="local")
    try:
        print(ensure_role(args.endpoint_url, args.name, credentials))
    except (ValueError, RuntimeError, httpx.HTTPError) as exc:
        print(f"local_role: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
