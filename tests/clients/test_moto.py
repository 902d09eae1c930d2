"""End to end against a real moto server over HTTP: every shipped client used the way a
function uses it (endpoint from AWS_ENDPOINT_URL, keys from the environment)."""

from __future__ import annotations

import datetime
import os
import urllib.request
import uuid
from pathlib import Path

import pytest

from native_lambda.aws.protocols import ParamValidationError

pytestmark = pytest.mark.usefixtures("aws_env")


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_dynamodb_put_get_query_pages_conditional_failure_and_transaction() -> None:
    from native_lambda.aws.clients import dynamodb

    db = dynamodb.Client()
    table = _name("orders")
    db.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(7):
        db.put_item(
            TableName=table, Item={"pk": {"S": "c1"}, "sk": {"N": str(i)}, "b": {"B": b"\x00\xff"}}
        )
    got = db.get_item(TableName=table, Key={"pk": {"S": "c1"}, "sk": {"N": "3"}})
    assert got.to_dict() == {"Item": {"pk": {"S": "c1"}, "sk": {"N": "3"}, "b": {"B": b"\x00\xff"}}}
    assert got.item["sk"].n == "3" and got["Item"]["pk"] == {"S": "c1"}

    pages = list(
        db.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "c1"}},
            Limit=3,
        )
    )
    assert [p.count for p in pages][:3] == [3, 3, 1]
    items = list(
        db.get_paginator("query").items(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "c1"}},
            Limit=2,
        )
    )
    assert [item["sk"]["N"] for item in items] == [str(i) for i in range(7)]

    with pytest.raises(db.exceptions.ConditionalCheckFailedException) as caught:
        db.put_item(
            TableName=table,
            Item={"pk": {"S": "c1"}, "sk": {"N": "1"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    assert caught.value.code == "ConditionalCheckFailedException"
    assert caught.value.status == 400 and caught.value.message
    assert isinstance(caught.value, dynamodb.exceptions.ClientError)

    db.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "c1"}, "sk": {"N": "0"}}}},
        ]
    )
    assert db.get_item(TableName=table, Key={"pk": {"S": "t"}, "sk": {"N": "1"}}).item
    assert db.get_item(TableName=table, Key={"pk": {"S": "c1"}, "sk": {"N": "0"}}).to_dict() == {}


def test_bad_parameters_fail_before_sending() -> None:
    from native_lambda.aws.clients import dynamodb

    db = dynamodb.Client(endpoint_url="http://127.0.0.1:9")  # nothing listens: never sent
    with pytest.raises(ParamValidationError, match="parameter 'Key' must be map, not int 5"):
        db.get_item(TableName="t", Key=5)
    with pytest.raises(ParamValidationError, match="unknown parameter 'Keyy'"):
        db.get_item(TableName="t", Key={}, Keyy=1)
    with pytest.raises(ParamValidationError, match=r"parameter 'Item\.a\.S' must be str"):
        db.put_item(TableName="t", Item={"a": {"S": 1}})
    with pytest.raises(ParamValidationError, match="missing required parameter 'TableName'"):
        db.get_item(Key={})


def test_s3_put_get_stream_list_pages_presign_and_multipart(tmp_path: Path) -> None:
    from native_lambda.aws.clients import s3

    client = s3.Client()
    bucket = _name("bucket")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="dir/a b+c.txt", Body=b"hello", ContentType="text/plain")
    got = client.get_object(Bucket=bucket, Key="dir/a b+c.txt")
    assert got.content_type == "text/plain" and got.content_length == 5
    assert isinstance(got.last_modified, datetime.datetime)
    assert got.body.read(2) == b"he" and got.body.read() == b"llo"

    source = tmp_path / "file.bin"
    source.write_bytes(os.urandom(3000))
    with source.open("rb") as handle:
        client.put_object(Bucket=bucket, Key="from-file", Body=handle)
    assert client.get_object(Bucket=bucket, Key="from-file").body.read() == source.read_bytes()

    for i in range(5):
        client.put_object(Bucket=bucket, Key=f"many/{i}", Body=str(i).encode())
    pages = list(
        client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="many/", MaxKeys=2)
    )
    assert [p.key_count for p in pages] == [2, 2, 1]
    keys = [
        o["Key"]
        for o in client.get_paginator("list_objects_v2").items(
            Bucket=bucket, Prefix="many/", MaxKeys=2
        )
    ]
    assert keys == [f"many/{i}" for i in range(5)]

    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "dir/a b+c.txt"}, ExpiresIn=60
    )
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == b"hello"

    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    client.upload_file(str(big), bucket, "big")
    head = client.head_object(Bucket=bucket, Key="big")
    assert head.content_length == big.stat().st_size and head.e_tag.endswith('-2"')
    assert client.get_object(Bucket=bucket, Key="big").body.read() == big.read_bytes()

    with pytest.raises(client.exceptions.NoSuchKey):
        client.get_object(Bucket=bucket, Key="missing")


def test_sqs_send_batch_receive_delete() -> None:
    from native_lambda.aws.clients import sqs

    q = sqs.Client()
    url = q.create_queue(QueueName=_name("q")).queue_url
    sent = q.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(3)]
    )
    assert sorted(e.id for e in sent.successful) == ["0", "1", "2"]
    got = q.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    assert sorted(m.body for m in got.messages) == ["m0", "m1", "m2"]
    for m in got.messages:
        q.delete_message(QueueUrl=url, ReceiptHandle=m.receipt_handle)
    with pytest.raises(q.exceptions.QueueDoesNotExist):
        q.get_queue_url(QueueName=_name("missing"))


def test_sns_publish_kinesis_put_records_cloudwatch_and_logs() -> None:
    from native_lambda.aws.clients import cloudwatch, kinesis, logs, sns

    topic = sns.Client().create_topic(Name=_name("t")).topic_arn
    assert sns.Client().publish(TopicArn=topic, Message="hi", Subject="s").message_id

    k = kinesis.Client()
    stream = _name("s")
    k.create_stream(StreamName=stream, ShardCount=1)
    put = k.put_records(StreamName=stream, Records=[{"Data": b"\x01\x02", "PartitionKey": "p"}] * 3)
    assert put.failed_record_count == 0 and len(put.records) == 3

    cw = cloudwatch.Client()
    cw.put_metric_data(
        Namespace="NL/Test",
        MetricData=[
            {
                "MetricName": "calls",
                "Value": 2.0,
                "Unit": "Count",
                "Timestamp": datetime.datetime.now(datetime.timezone.utc),
            }
        ],
    )
    assert "calls" in [m.metric_name for m in cw.list_metrics(Namespace="NL/Test").metrics]

    lg = logs.Client()
    group = _name("/nl/g")
    lg.create_log_group(logGroupName=group)
    lg.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(datetime.datetime.now().timestamp() * 1000)
    lg.put_log_events(
        logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now, "message": "x"}]
    )
    events = lg.get_log_events(logGroupName=group, logStreamName="s").events
    assert [e.message for e in events] == ["x"]


def test_secrets_manager_and_ssm_reads() -> None:
    from native_lambda.aws.clients import secretsmanager, ssm

    sm = secretsmanager.Client()
    name = _name("secret")
    sm.create_secret(Name=name, SecretString="s3cr3t")
    assert sm.get_secret_value(SecretId=name).secret_string == "s3cr3t"

    p = ssm.Client()
    p.put_parameter(Name=f"/{name}/p", Value="v", Type="String")
    assert p.get_parameter(Name=f"/{name}/p").parameter.value == "v"
    with pytest.raises(p.exceptions.ParameterNotFound):
        p.get_parameter(Name=f"/{name}/missing")


def test_sts_and_events_and_lambda_answer() -> None:
    from native_lambda.aws.clients import events, lambda_, sts

    assert sts.Client().get_caller_identity().account == "123456789012"
    bus = events.Client().put_events(Entries=[{"Source": "nl", "DetailType": "t", "Detail": "{}"}])
    assert bus.failed_entry_count == 0
    assert lambda_.Client().list_functions().to_dict().get("Functions") == []
