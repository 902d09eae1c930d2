"""CloudWatch's protocol: what the shipped json fallback costs against smithy-rpc-v2-cbor.

CloudWatch's model lists smithy-rpc-v2-cbor first, then json and query; the generator picks
json (no CBOR codec ships). For one ``PutMetricData`` of ``BENCH_DATUMS`` (20) datums:

- bytes on the wire (request head and body, counted at a local server) and per-call client
  overhead (validate, serialize, sign, send, parse; the server answers at once) of the
  shipped json client and of a query client generated from the same model;
- the CBOR request as botocore's smithy-rpc-v2-cbor serializer writes it; and botocore's
  per-call overhead with the protocol it picks (json: it ranks json above CBOR);
- the encode step alone: msgspec's JSON encoder (what ours runs) against a minimal
  pure-Python CBOR encoder, the least a CBOR client without a C codec would run.

Prints Markdown; every number is measured here, under CPython.
"""

from __future__ import annotations

import datetime
import gzip
import http.server
import importlib.util
import json
import os
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDBENCHCBOR0000001",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}
XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/"


def params(datums: int) -> dict:
    stamp = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    return {
        "Namespace": "Orders/Service",
        "MetricData": [
            {
                "MetricName": "Latency",
                "Dimensions": [
                    {"Name": "Function", "Value": "orders-writer"},
                    {"Name": "Stage", "Value": "prod"},
                ],
                "Timestamp": stamp,
                "Value": 12.5 + i,
                "Unit": "Milliseconds",
                "StorageResolution": 60,
            }
            for i in range(datums)
        ],
    }


# -- a minimal CBOR encoder (RFC 8949): the floor of a pure-Python codec ------------------


def _head(major: int, n: int, out: bytearray) -> None:
    if n < 24:
        out.append(major << 5 | n)
    elif n < 0x100:
        out += bytes((major << 5 | 24, n))
    elif n < 0x10000:
        out.append(major << 5 | 25)
        out += n.to_bytes(2, "big")
    elif n < 0x100000000:
        out.append(major << 5 | 26)
        out += n.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += n.to_bytes(8, "big")


def cbor(value: object, out: bytearray) -> None:
    if value is None:
        out.append(0xF6)
    elif value is True or value is False:
        out.append(0xF5 if value else 0xF4)
    elif isinstance(value, int):
        _head(0, value, out) if value >= 0 else _head(1, -1 - value, out)
    elif isinstance(value, float):
        out.append(0xFB)
        out += struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(3, len(data), out)
        out += data
    elif isinstance(value, (bytes, bytearray)):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            cbor(item, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for key, item in value.items():
            cbor(key, out)
            cbor(item, out)
    elif isinstance(value, datetime.datetime):
        out.append(0xC1)  # tag 1: epoch seconds
        cbor(value.timestamp(), out)
    else:
        raise TypeError(type(value).__name__)


# -- the local server: answers each protocol at once and counts what it received ----------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16
    seen: dict = {}

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        head = len(self.raw_requestline) + len(str(self.headers).encode())
        kind = self.headers.get("Content-Type", "")
        _Handler.seen[kind.split(";")[0]] = (head, len(body))
        if "cbor" in kind:
            answer, headers = b"", {"smithy-protocol": "rpc-v2-cbor", "Content-Type": kind}
        elif "json" in kind:
            answer, headers = b"{}", {"Content-Type": kind}
        else:
            answer = (
                f'<PutMetricDataResponse xmlns="{XMLNS}"><ResponseMetadata>'
                "<RequestId>r</RequestId></ResponseMetadata></PutMetricDataResponse>"
            ).encode()
            headers = {"Content-Type": "text/xml"}
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


def _server() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def _best(call, n: int) -> float:
    """Per-call µs: the best of 5 rounds of ``n`` calls, after 30 warm-up calls."""
    for _ in range(30):
        call()
    rounds = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            call()
        rounds.append((time.perf_counter() - t) / n * 1e6)
    return min(rounds)


def _query_client(work: Path):
    """CloudWatch generated from the same botocore model with its query protocol."""
    import botocore

    from native_lambda_toolchain.clients import generate

    source = Path(botocore.__file__).parent / "data" / "cloudwatch" / "2010-08-01"
    model = json.loads(gzip.decompress((source / "service-2.json.gz").read_bytes()))
    model["metadata"]["protocols"] = ["query"]
    model["metadata"]["protocol"] = "query"
    (work / "service-2.json").write_text(json.dumps(model))
    _, text = generate(str(work / "service-2.json"), "cloudwatch_query")
    path = work / "cloudwatch_query.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("cloudwatch_query", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["cloudwatch_query"] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    os.environ.update(ENV)
    datums = int(os.environ.get("BENCH_DATUMS", "20"))
    n = int(os.environ.get("BENCH_CALLS", "300"))
    import botocore.serialize
    import botocore.session
    import msgspec

    from native_lambda.aws.clients import cloudwatch

    url = _server()
    data = params(datums)
    rows = {}
    ours = cloudwatch.Client(endpoint_url=url)
    rows["json (shipped)"] = _best(lambda: ours.put_metric_data(**data), n)
    with tempfile.TemporaryDirectory(prefix="bench-cbor-") as work:
        query = _query_client(Path(work)).Client(endpoint_url=url)
        rows["query (generated)"] = _best(lambda: query.put_metric_data(**data), n)
    json_head, json_body = _Handler.seen["application/x-amz-json-1.0"]
    query_head, query_body = _Handler.seen["application/x-www-form-urlencoded"]
    session = botocore.session.get_session()
    theirs = session.create_client("cloudwatch", endpoint_url=url)
    boto_protocol = theirs.meta.service_model.resolved_protocol
    boto_us = _best(lambda: theirs.put_metric_data(**data), n)

    # CBOR as botocore's smithy-rpc-v2-cbor serializer writes it. The head: ours for json,
    # with json's protocol headers and path swapped for CBOR's (signature, date, host and
    # length are the same size either way).
    op = session.get_service_model("cloudwatch").operation_model("PutMetricData")
    made = {
        name: botocore.serialize.create_serializer(name).serialize_to_request(data, op)
        for name in ("json", "smithy-rpc-v2-cbor")
    }

    def protocol_bytes(request: dict) -> int:
        lines = sum(len(f"{k}: {v}\r\n") for k, v in request["headers"].items())
        return lines + len(request["url_path"])

    cbor_body = len(made["smithy-rpc-v2-cbor"]["body"])
    cbor_head = (
        json_head - protocol_bytes(made["json"]) + protocol_bytes(made["smithy-rpc-v2-cbor"])
    )
    boto_json_body = len(made["json"]["body"])  # json.dumps' separators: spaces

    # The encode step alone, on the same value: ours turns params into JSON-ready data and
    # msgspec encodes it; a CBOR client would encode the params (timestamps as tag 1).
    stamped = [dict(d, Timestamp=d["Timestamp"].timestamp()) for d in data["MetricData"]]
    ready = dict(data, MetricData=stamped)
    buf = bytearray()
    cbor(data, buf)
    enc_json = _best(lambda: msgspec.json.encode(ready), n * 10)
    enc_cbor = _best(lambda: cbor(data, bytearray()), n * 10)

    print(f"### CloudWatch PutMetricData, {datums} datums: json fallback against CBOR\n")
    print("| protocol | request head, bytes | request body, bytes | per call, µs |")
    print("|---|---|---|---|")
    print(f"| json (shipped) | {json_head} | {json_body} | {rows['json (shipped)']:.0f} |")
    print(f"| query (generated) | {query_head} | {query_body} | {rows['query (generated)']:.0f} |")
    print(f"| smithy-rpc-v2-cbor (botocore's serializer) | {cbor_head} | {cbor_body} | |")
    print(f"| botocore, its protocol: {boto_protocol} | | {boto_json_body} | {boto_us:.0f} |")
    print(
        f"\n| encode step | µs |\n|---|---|\n| msgspec JSON (ours) | {enc_json:.1f} |\n"
        f"| minimal pure-Python CBOR ({len(buf)} bytes; botocore's {cbor_body}) | "
        f"{enc_cbor:.1f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
