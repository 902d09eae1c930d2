"""The clients' own transport and import cost: raw-socket HTTP/1.1 against a real server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from native_lambda.aws.clients import dynamodb, s3
from native_lambda.aws.protocols import _transport

from .scripted import ScriptedServer, json_answer, sequence

KEYS = {"aws_access_key_id": "AKIDTRANSPORT0000001", "aws_secret_access_key": "secret"}
ITEM = json.dumps({"Item": {"pk": {"S": "a"}, "n": {"N": "7"}}}).encode()


@pytest.fixture(autouse=True)
def _fresh_pool() -> None:
    _transport.close_all()


def test_import_and_construction_load_no_http_client_ssl_email_or_result_classes() -> None:
    """Construction loads only what it needs; sending, signing, credentials and parsing
    load with the first call, and no result or error class exists before it is used."""
    code = (
        "import sys\n"
        "from native_lambda.aws.clients import dynamodb\n"
        "dynamodb.Client(region_name='us-east-1')\n"
        "heavy = sorted(m for m in ('http.client', 'email.parser', 'ssl', 'socket',"
        " 'native_lambda.aws.protocols._serialize', 'native_lambda.aws.protocols._parse',"
        " 'native_lambda.aws.protocols._transport', 'native_lambda.aws.protocols._retry',"
        " 'native_lambda.aws._credentials', 'native_lambda.aws._sigv4')"
        " if m in sys.modules)\n"
        "made = any(n in vars(dynamodb) for n in"
        " ('GetItemOutput', 'AttributeValue', 'ConditionalCheckFailedException'))\n"
        "print(heavy, made)\n"
        "cls = dynamodb.GetItemOutput\n"
        "print(cls.__name__, cls.__struct_fields__, 'AttributeValue' in vars(dynamodb))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "[] False"
    assert out[1] == "GetItemOutput ('item', 'consumed_capacity') True"


def test_model_tables_load_as_one_constant_each() -> None:
    """A shipped module's tables (shapes, operations, paginators, result fields, errors) are
    one string constant each, not a dict literal of hundreds of strings made at every
    import; their lookups still answer as a dict's."""
    from pathlib import Path

    from native_lambda.aws.protocols import Table

    folder = Path(dynamodb.__file__).parent
    for path in sorted(folder.glob("[a-z]*.py")):
        code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
        texts = [c for c in code.co_consts if isinstance(c, str) and c[:2] in ('{"', "[[")]
        key_tuples = [c for c in code.co_consts if isinstance(c, tuple) and len(c) > 20]
        assert not texts and not key_tuples, path.name
    assert isinstance(dynamodb.SHAPES, Table)
    assert "GetItemInput" in dynamodb.SHAPES and "Nope" not in dynamodb.SHAPES
    assert dynamodb.OPERATIONS["GetItem"].startswith("{")
    assert dynamodb.ERROR_TABLE.get("ThrottlingException", "").startswith("ThrottlingException ")
    assert len(dynamodb.RESULT_FIELDS) == len(list(dynamodb.RESULT_FIELDS.items())) > 100


def test_operation_methods_are_made_on_first_use_and_kept() -> None:
    """A module holds its methods as data (a function per operation was most of a compiled
    module's load); each is made on first access, kept on the class, and listed by dir()."""
    code = (
        "from native_lambda.aws.clients import dynamodb\n"
        "c = dynamodb.Client(region_name='us-east-1')\n"
        "print('get_item' in vars(dynamodb.Client), 'get_item' in dir(c))\n"
        "m = c.get_item\n"
        "print(m.__name__, m.__doc__.split(':')[0], 'get_item' in vars(dynamodb.Client))\n"
        "for name in ('nope', '_private', 'GetItem'):\n"
        "    try:\n"
        "        getattr(c, name)\n"
        "    except AttributeError as exc:\n"
        "        print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[:2] == ["False True", "get_item GetItem True"]
    assert out[2:] == [
        f"'Client' object has no attribute {n!r}" for n in ("nope", "_private", "GetItem")
    ]


def test_error_classes_are_made_once_on_first_use() -> None:
    from native_lambda.aws.protocols import ServiceError

    cls = dynamodb.exceptions.ConditionalCheckFailedException
    assert issubclass(cls, ServiceError) and cls.code == "ConditionalCheckFailedException"
    assert dynamodb.ConditionalCheckFailedException is cls
    assert dynamodb.Client.exceptions.from_code("ConditionalCheckFailedException") is cls
    assert dynamodb.exceptions.from_code("NoSuchCode") is ServiceError
    assert dynamodb.exceptions.ClientError is ServiceError
    with pytest.raises(AttributeError, match="models no error 'Nope'"):
        dynamodb.exceptions.Nope  # noqa: B018


def test_unknown_module_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        dynamodb.NoSuchThing  # noqa: B018


def test_connections_are_kept_alive_and_chunked_answers_parsed() -> None:
    chunks = [ITEM[:10], ITEM[10:25], ITEM[25:]]
    script = sequence(
        [("chunked", 200, {"Content-Type": "application/x-amz-json-1.0"}, chunks)],
        json_answer(200, ITEM),
    )
    with ScriptedServer(script) as server:
        client = dynamodb.Client(region_name="us-east-1", endpoint_url=server.url, **KEYS)
        for _ in range(3):
            got = client.get_item(TableName="t", Key={"pk": {"S": "a"}})
            assert got.to_dict() == {"Item": {"pk": {"S": "a"}, "n": {"N": "7"}}}
    assert len(server.requests) == 3
    assert server.connections == 1


def test_a_connection_the_server_closed_is_replaced_without_resending() -> None:
    closing = json_answer(200, ITEM, Connection="close")
    with ScriptedServer(sequence([closing], json_answer(200, ITEM))) as server:
        client = dynamodb.Client(region_name="us-east-1", endpoint_url=server.url, **KEYS)
        client.get_item(TableName="t", Key={"pk": {"S": "a"}})
        client.get_item(TableName="t", Key={"pk": {"S": "a"}})
    assert len(server.requests) == 2
    assert server.connections == 2


def test_head_answers_have_no_body_whatever_their_content_length() -> None:
    head = ("answer", 200, {"Content-Length": "1000", "ETag": '"abc"'}, b"")
    listing = (
        b'<?xml version="1.0"?><ListBucketResult><Name>b</Name>'
        b"<IsTruncated>false</IsTruncated></ListBucketResult>"
    )
    script = sequence([head], ("answer", 200, {"Content-Type": "application/xml"}, listing))
    with ScriptedServer(script) as server:
        client = s3.Client(
            region_name="us-east-1", endpoint_url=server.url, addressing_style="path", **KEYS
        )
        assert client.head_object(Bucket="b", Key="k").to_dict()["ContentLength"] == 1000
        assert client.list_objects_v2(Bucket="b").to_dict()["Name"] == "b"
    assert server.connections == 1


def test_streamed_chunked_body_reads_in_parts_then_reuses_the_connection() -> None:
    data = [b"x" * 70000, b"y" * 5, b"z" * 100000]
    script = sequence(
        [("chunked", 200, {"Content-Type": "application/octet-stream"}, data)],
        ("answer", 200, {"Content-Type": "application/octet-stream"}, b"second"),
    )
    with ScriptedServer(script) as server:
        client = s3.Client(
            region_name="us-east-1", endpoint_url=server.url, addressing_style="path", **KEYS
        )
        body = client.get_object(Bucket="b", Key="k").body
        parts = list(body.iter_chunks(4096))
        assert b"".join(parts) == b"".join(data)
        assert max(len(p) for p in parts) <= 4096
        assert client.get_object(Bucket="b", Key="k").body.read() == b"second"
    assert server.connections == 1
