"""A handler that imports one events module on request and reports what it cost.

For the bench's "import time of each events module in the compiled bootstrap": compile
``tests.events.import_probe.handler`` once, then for each module start a fresh runtime
(a new process: the module must not be imported yet) and invoke ``{"module": "sqs"}``.
The answer: ``{"module", "cpu_us", "wall_us", "new_modules"}``. The imports are written
out one by one so Nuitka sees (and compiles in) every module, yet only runs the one asked.
"""

import sys
import time
from typing import Any, Dict, List

MODULES = (
    "alb",
    "apigateway",
    "authorizer",
    "batch",
    "cloudwatch_logs",
    "dynamodb",
    "eventbridge",
    "firehose",
    "function_url",
    "http",
    "kinesis",
    "s3",
    "sns",
    "sqs",
)


def _import(name: str) -> None:
    if name == "alb":
        import native_lambda.events.alb
    elif name == "apigateway":
        import native_lambda.events.apigateway
    elif name == "authorizer":
        import native_lambda.events.authorizer
    elif name == "batch":
        import native_lambda.events.batch
    elif name == "cloudwatch_logs":
        import native_lambda.events.cloudwatch_logs
    elif name == "dynamodb":
        import native_lambda.events.dynamodb
    elif name == "eventbridge":
        import native_lambda.events.eventbridge
    elif name == "firehose":
        import native_lambda.events.firehose
    elif name == "function_url":
        import native_lambda.events.function_url
    elif name == "http":
        import native_lambda.events.http
    elif name == "kinesis":
        import native_lambda.events.kinesis
    elif name == "s3":
        import native_lambda.events.s3
    elif name == "sns":
        import native_lambda.events.sns
    elif name == "sqs":
        import native_lambda.events.sqs  # noqa: F401
    else:
        raise ValueError(f"unknown events module {name!r}; one of {', '.join(MODULES)}")


def handler(event: Dict[str, str], context: Any) -> Dict[str, Any]:
    name = event["module"]
    before = set(sys.modules)
    cpu, wall = time.process_time_ns(), time.perf_counter_ns()
    _import(name)
    cpu, wall = time.process_time_ns() - cpu, time.perf_counter_ns() - wall
    new: List[str] = sorted(set(sys.modules) - before)
    return {"module": name, "cpu_us": cpu / 1000, "wall_us": wall / 1000, "new_modules": new}
