"""Bench function (boto3): an SQS-triggered handler writing each record to DynamoDB.
The same function as ``orders_native.py``."""

import json
import os
import time

_t0 = time.perf_counter()
import boto3  # noqa: E402

DB = boto3.client("dynamodb")
CLIENT_INIT_MS = (time.perf_counter() - _t0) * 1000
TABLE = os.environ.get("ORDERS_TABLE", "bench-orders")


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        DB.put_item(
            TableName=TABLE,
            Item={
                "pk": {"S": order["id"]},
                "total": {"N": str(order["total"])},
                "body": {"S": record["body"]},
            },
        )
    if event.get("report_init"):
        print(f"CLIENT_INIT_MS {CLIENT_INIT_MS:.3f}", flush=True)
    return event
