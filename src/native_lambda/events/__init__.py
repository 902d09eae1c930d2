"""Typed Lambda events (msgspec Structs), an HTTP adapter and a batch helper.

One module per event source, each imported only when used: importing this package costs
nothing beyond the package itself. Import from the source's module
(``from native_lambda.events.sqs import SQSEvent``) or, equivalently, from here
(``from native_lambda.events import SQSEvent``), which imports just that module on first
access.

Modules: ``apigateway`` (REST v1 and HTTP API v2 proxy), ``function_url``, ``alb``,
``authorizer``, ``sqs``, ``sns``, ``s3``, ``dynamodb``, ``kinesis``, ``firehose``,
``eventbridge``, ``cloudwatch_logs``, ``batch`` (partial batch responses), ``http``
(one request/response model and a router over every HTTP front door).
"""

from typing import Any

# name -> module. Each branch in __getattr__ imports its module statically, so Nuitka
# (which follows imports it can see) compiles every module in.
_NAMES = {
    "apigateway": (
        "APIGatewayProxyEvent",
        "APIGatewayProxyResponse",
        "APIGatewayV2Event",
        "APIGatewayV2Response",
    ),
    "function_url": ("FunctionUrlEvent", "FunctionUrlResponse"),
    "alb": ("ALBEvent", "ALBResponse"),
    "authorizer": (
        "PolicyResponse",
        "RequestAuthorizerEvent",
        "RequestAuthorizerEventV2",
        "SimpleResponse",
        "TokenAuthorizerEvent",
    ),
    "sqs": ("SQSEvent", "SQSRecord"),
    "sns": ("SNSEvent", "SNSRecord", "SNSNotification"),
    "s3": ("S3Event", "S3EventRecord", "S3EventBridgeEvent", "S3EventBridgeDetail"),
    "dynamodb": ("AttributeValue", "DynamoDBRecord", "DynamoDBStreamEvent"),
    "kinesis": ("KinesisEvent", "KinesisRecord"),
    "firehose": ("FirehoseEvent", "FirehoseResponse", "FirehoseResponseRecord"),
    "eventbridge": ("EventBridgeEvent", "ScheduledEvent"),
    "cloudwatch_logs": ("CloudWatchLogsEvent", "LogsData"),
    "batch": ("BatchItemFailure", "BatchResponse", "process_batch"),
    "http": ("HTTPError", "Request", "Response", "Router"),
}
_MODULE_OF = {name: module for module, names in _NAMES.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module == "apigateway":
        from . import apigateway

        return _export(name, apigateway)
    if module == "function_url":
        from . import function_url

        return _export(name, function_url)
    if module == "alb":
        from . import alb

        return _export(name, alb)
    if module == "authorizer":
        from . import authorizer

        return _export(name, authorizer)
    if module == "sqs":
        from . import sqs

        return _export(name, sqs)
    if module == "sns":
        from . import sns

        return _export(name, sns)
    if module == "s3":
        from . import s3

        return _export(name, s3)
    if module == "dynamodb":
        from . import dynamodb

        return _export(name, dynamodb)
    if module == "kinesis":
        from . import kinesis

        return _export(name, kinesis)
    if module == "firehose":
        from . import firehose

        return _export(name, firehose)
    if module == "eventbridge":
        from . import eventbridge

        return _export(name, eventbridge)
    if module == "cloudwatch_logs":
        from . import cloudwatch_logs

        return _export(name, cloudwatch_logs)
    if module == "batch":
        from . import batch

        return _export(name, batch)
    if module == "http":
        from . import http

        return _export(name, http)
    raise AssertionError(module)  # pragma: no cover - _NAMES and the branches agree


def _export(name: str, module: Any) -> Any:
    value = getattr(module, name)
    globals()[name] = value  # next access skips __getattr__
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
