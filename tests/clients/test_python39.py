"""The clients on Python 3.9 (AL2023's system Python, the build image's): every shipped
module imports, builds its result types and makes real calls against moto (DynamoDB values
and a modeled error class made on first use among them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import py39

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import importlib, sys
from native_lambda.aws.clients import dynamodb, s3, sqs
for name in ("cloudwatch", "dynamodb", "events", "kinesis", "lambda_", "logs", "s3",
             "secretsmanager", "sns", "sqs", "ssm", "sts"):
    importlib.import_module("native_lambda.aws.clients." + name).Client()
db = dynamodb.Client()
db.create_table(TableName="py39", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
db.put_item(TableName="py39", Item={"k": {"S": "a"}, "m": {"M": {"l": {"L": [{"N": "1"}]}}}})
got = db.get_item(TableName="py39", Key={"k": {"S": "a"}})
assert got.item["m"].m["l"].l[0].n == "1", got
from decimal import Decimal
from native_lambda.aws import dynamodb as values
db.put_item(TableName="py39", Item=values.serialize_item({"k": "b", "n": 7, "s": {"x"}}))
plain = values.deserialize_item(db.get_item(TableName="py39", Key={"k": {"S": "b"}}).item)
assert plain == {"k": "b", "n": Decimal(7), "s": {"x"}}, plain
try:
    db.put_item(
        TableName="py39", Item={"k": {"S": "b"}}, ConditionExpression="attribute_not_exists(k)"
    )
    raise AssertionError("no conditional failure")
except dynamodb.exceptions.ConditionalCheckFailedException as exc:
    assert exc.status == 400
c = s3.Client(); c.create_bucket(Bucket="py39-bucket")
c.put_object(Bucket="py39-bucket", Key="k", Body=b"x")
assert c.get_object(Bucket="py39-bucket", Key="k").body.read() == b"x"
print(sys.version_info[:2], "ok")
"""


@py39.requires
def test_clients_work_on_python39(moto_endpoint: str) -> None:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        AWS_ACCESS_KEY_ID="AKIDPY39",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL=moto_endpoint,
    )
    done = subprocess.run(
        [py39.interpreter(), "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "(3, 9) ok"
