"""Typed decode (msgspec Structs) against ``json.loads`` plus dict access, per sample event.

``python tests/events/bench_decode.py [--json OUT] [--own-only]`` times, for every sample
event of a covered source (the real Powertools sample events in ``tests/events/powertools``
and the project's own fixtures), two ways a handler gets at the same fields:

* typed: ``msgspec.json.Decoder(EventType).decode(raw)`` (strict, every modelled field)
  then reading a few fields per record through attributes;
* dict: ``json.loads(raw)`` then reading the same fields by key.

``run()`` returns the rows for ``nox -s bench`` to tabulate or plot.
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import msgspec

if __package__ in (None, ""):  # run as a script: make `tests.events` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.events.samples import COVERED, OWN
from tests.events.support import FIXTURES, POWERTOOLS

Access = Tuple[Callable[[Any], Any], Callable[[Any], Any]]


def _records(typed: Callable[[Any], Any], raw: Callable[[Dict[str, Any]], Any]) -> Access:
    """Read a few fields of every record: (typed access, dict access)."""
    return (
        lambda e: [typed(r) for r in e.records],
        lambda d: [raw(r) for r in d["Records"]],
    )


# HTTP API and Function URL requests share payload format 2.0.
_PAYLOAD_V2: Access = (
    lambda e: (e.request_context.http.method, e.raw_path, e.headers, e.body),
    lambda d: (
        d["requestContext"]["http"]["method"],
        d["rawPath"],
        d.get("headers"),
        d.get("body"),
    ),
)

# What a handler typically reads, the same fields both ways, per event type name.
ACCESS: Dict[str, Access] = {
    "SQSEvent": _records(
        lambda r: (r.message_id, r.body, r.attributes.approximate_receive_count),
        lambda r: (r["messageId"], r["body"], r["attributes"]["ApproximateReceiveCount"]),
    ),
    "SNSEvent": _records(
        lambda r: (r.sns.message_id, r.sns.message, r.sns.topic_arn),
        lambda r: (r["Sns"]["MessageId"], r["Sns"]["Message"], r["Sns"]["TopicArn"]),
    ),
    "S3Event": _records(
        lambda r: (r.event_name, r.s3.bucket.name, r.s3.object.key, r.s3.object.size),
        lambda r: (
            r["eventName"],
            r["s3"]["bucket"]["name"],
            r["s3"]["object"]["key"],
            r["s3"]["object"].get("size"),
        ),
    ),
    "DynamoDBStreamEvent": _records(
        lambda r: (r.event_name, r.dynamodb.keys, r.dynamodb.new_image),
        lambda r: (r["eventName"], r["dynamodb"]["Keys"], r["dynamodb"].get("NewImage")),
    ),
    "KinesisEvent": _records(
        # the typed data is already base64-decoded bytes; the dict path must decode it
        lambda r: (r.kinesis.partition_key, r.kinesis.data),
        lambda r: (r["kinesis"]["partitionKey"], _b64(r["kinesis"]["data"])),
    ),
    "FirehoseEvent": (
        lambda e: [(r.record_id, r.data) for r in e.records],
        lambda d: [(r["recordId"], _b64(r["data"])) for r in d["records"]],
    ),
    "APIGatewayProxyEvent": (
        lambda e: (e.http_method, e.path, e.headers, e.body),
        lambda d: (d["httpMethod"], d["path"], d.get("headers"), d.get("body")),
    ),
    "APIGatewayV2Event": _PAYLOAD_V2,
    "FunctionUrlEvent": _PAYLOAD_V2,
    "ALBEvent": (
        lambda e: (e.http_method, e.path, e.headers or e.multi_value_headers, e.body),
        lambda d: (
            d["httpMethod"],
            d["path"],
            d.get("headers") or d.get("multiValueHeaders"),
            d.get("body"),
        ),
    ),
    "CloudWatchLogsEvent": (
        lambda e: e.awslogs.data,
        lambda d: _b64(d["awslogs"]["data"]),
    ),
}
_DEFAULT: Access = (lambda e: e, lambda d: d)  # authorizers, EventBridge: decode only


def _v2_method(event: Dict[str, Any]) -> Any:
    return event["requestContext"]["http"]["method"]


def _alb_headers(event: Dict[str, Any]) -> Any:
    return event.get("headers") or event.get("multiValueHeaders")


def _b64(text: str) -> bytes:
    import binascii

    return binascii.a2b_base64(text)


def _type_name(type_: Any) -> str:
    return getattr(type_, "__name__", None) or getattr(type_, "__origin__", type_).__name__


def _best(fn: Callable[[], Any], repeat: int) -> float:
    """Best per-call time in µs (timeit's autorange, best of ``repeat``)."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def _typed_once(decode: Callable[[bytes], Any], access: Callable[[Any], Any], raw: bytes) -> Any:
    return access(decode(raw))


def _dict_once(access: Callable[[Any], Any], raw: bytes) -> Any:
    return access(json.loads(raw))


def samples(own_only: bool = False) -> List[Tuple[str, Path, Any]]:
    """(label, path, type) of every sample event of a covered source."""
    found = [(f"own/{name}", FIXTURES / name, type_) for name, type_ in sorted(OWN.items())]
    if not own_only:
        found += [(f"shared/{n}", POWERTOOLS / n, t) for n, t in sorted(COVERED.items())]
    return found


def run(repeat: int = 5, own_only: bool = False) -> List[Dict[str, Any]]:
    """One row per sample: sizes, typed and dict times (µs) and the speed-up."""
    rows = []
    for label, path, type_ in samples(own_only):
        raw = path.read_bytes()
        decoder = msgspec.json.Decoder(type_)
        try:
            decoder.decode(raw)
        except msgspec.ValidationError:
            continue  # a deliberately malformed sample
        typed_access, dict_access = ACCESS.get(_type_name(type_), _DEFAULT)
        typed = _best(partial(_typed_once, decoder.decode, typed_access, raw), repeat)
        plain = _best(partial(_dict_once, dict_access, raw), repeat)
        rows.append(
            {
                "sample": label,
                "type": _type_name(type_),
                "bytes": len(raw),
                "typed_us": round(typed, 3),
                "json_us": round(plain, 3),
                "speedup": round(plain / typed, 2),
            }
        )
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--own-only", action="store_true", help="only tests/events/fixtures")
    args = parser.parse_args(argv)
    rows = run(args.repeat, args.own_only)
    print(f"{'sample':<62} {'bytes':>6} {'typed µs':>9} {'json µs':>9} {'x':>5}")
    for row in rows:
        print(
            f"{row['sample']:<62} {row['bytes']:>6} {row['typed_us']:>9.2f}"
            f" {row['json_us']:>9.2f} {row['speedup']:>5.2f}"
        )
    speedups = sorted(row["speedup"] for row in rows)
    if speedups:
        median = speedups[len(speedups) // 2]
        print(f"{len(rows)} samples; typed decode is {median:.2f}x json.loads+access (median)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
