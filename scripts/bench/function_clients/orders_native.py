"""Bench function (native-lambda): an SQS-triggered handler writing each record to
DynamoDB with the generated client. The same function as ``orders_boto3.py``."""

import gc
import json
import os
import time

_gc = [0.0, 0.0]  # ms spent in collections during the import, start of the current one


def _gc_timer(phase, info):
    """CPython's collector runs when allocations pass a threshold, whatever allocated:
    the time it takes inside the measured window is reported on its own."""
    if phase == "start":
        _gc[1] = time.perf_counter()
    else:
        _gc[0] += (time.perf_counter() - _gc[1]) * 1000


gc.callbacks.append(_gc_timer)
_t0, _g0 = time.perf_counter(), _gc[0]
from native_lambda.aws.protocols import BaseClient  # noqa: E402,F401  (doors, base client)

_t1, _g1 = time.perf_counter(), _gc[0]
from native_lambda.aws.clients import dynamodb  # noqa: E402

_t2, _g2 = time.perf_counter(), _gc[0]
DB = dynamodb.Client()
_t3, _g3 = time.perf_counter(), _gc[0]
gc.callbacks.remove(_gc_timer)
#: import + client construction inside this process, ms (reported on stdout once); its
#: parts without the collections that fell into them: the package doors and base client,
#: the DynamoDB module, construction; and those collections
CLIENT_INIT_MS = (_t3 - _t0) * 1000
CLIENT_PARTS_MS = " ".join(
    f"{(b - a) * 1000 - (gb - ga):.3f}"
    for (a, ga), (b, gb) in zip(
        ((_t0, _g0), (_t1, _g1), (_t2, _g2)), ((_t1, _g1), (_t2, _g2), (_t3, _g3))
    )
)
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
        print(
            f"CLIENT_INIT_MS {CLIENT_INIT_MS:.3f} PARTS {CLIENT_PARTS_MS} GC {_gc[0]:.3f}",
            flush=True,
        )
    return event
