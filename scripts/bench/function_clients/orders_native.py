"""Bench function (native-lambda): an SQS-triggered handler writing each record to
DynamoDB with the generated client. The same function as ``orders_boto3.py``."""

import json
import os
import time

_t0 = time.perf_counter()
from native_lambda.aws.clients import dynamodb  # noqa: E402

DB = dynamodb.Client()
#: import + client construction inside this process, ms (reported on stderr once)
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
