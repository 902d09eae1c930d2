"""Compiled into the shared session build (``_HANDLER`` selects it): reads an item from
DynamoDB and sends it to SQS with the generated clients, and reports how long importing
and constructing each client took inside the bootstrap (the handler module's own init)."""

# ruff: noqa
import sys
import time

_before = set(sys.modules)
_t0 = time.perf_counter()
import msgspec

_t1 = time.perf_counter()
import native_lambda.aws.protocols._client

_t2 = time.perf_counter()
from native_lambda.aws.clients import dynamodb

_t3 = time.perf_counter()
DDB = dynamodb.Client()
_t4 = time.perf_counter()
from native_lambda.aws.clients import sqs

SQS = sqs.Client()
_t5 = time.perf_counter()

INIT = {
    "msgspec_loaded_before": "msgspec" in _before,
    "msgspec_ms": (_t1 - _t0) * 1000,
    "protocols_ms": (_t2 - _t1) * 1000,
    "dynamodb_module_ms": (_t3 - _t2) * 1000,
    "dynamodb_client_ms": (_t4 - _t3) * 1000,
    "dynamodb_ms": (_t4 - _t0) * 1000,  # import + construction of the first client
    "sqs_ms": (_t5 - _t4) * 1000,  # a second service: its module and client only
    "loaded": sorted(set(sys.modules) - _before),
    "heavy_loaded": sorted(m for m in ("http.client", "ssl", "email.parser") if m in sys.modules),
}


def handler(event, context):
    t0 = time.perf_counter()
    got = DDB.get_item(TableName=event["table"], Key={"pk": {"S": event["key"]}})
    item = got.item
    sent = SQS.send_message(QueueUrl=event["queue_url"], MessageBody=item["body"].s)
    return {
        "message_id": sent.message_id,
        "body": item["body"].s,
        "call_ms": (time.perf_counter() - t0) * 1000,
        "init": INIT,
        "compiled": hasattr(dynamodb, "__compiled__"),
    }
