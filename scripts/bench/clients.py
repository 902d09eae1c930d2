"""Generated AWS clients against boto3/botocore, side by side in one run:

- import + client construction (fresh processes, min and median);
- per-call client overhead (serialize, sign, send, parse) against a local keep-alive server
  that answers instantly, so what is left is the client's own work;
- the transport choice: importing httpx, http.client and our raw-socket transport, and a
  bare POST through each;
- size: each shipped module's source and byte code, zipped;
- CloudWatch's json fallback against smithy-rpc-v2-cbor (``clients_cbor.py``).

Prints a Markdown table; every number is measured here, on this machine, under CPython.
"""

from __future__ import annotations

import http.server
import io
import json
import marshal
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = ROOT / "src" / "native_lambda" / "aws" / "clients"
ENV = dict(
    os.environ,
    AWS_ACCESS_KEY_ID="AKIDBENCH",
    AWS_SECRET_ACCESS_KEY="bench-secret",
    AWS_REGION="us-east-1",
    AWS_DEFAULT_REGION="us-east-1",  # boto3 reads only this one
)
# Byte code cached as an installed package has it, wherever the tree is read-only or
# PYTHONDONTWRITEBYTECODE is set: else every fresh process would compile the sources.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-clients-pyc-")
ITEM = {"Item": {"pk": {"S": "order-1"}, "total": {"N": "12.5"}, "tags": {"SS": ["a", "b"]}}}


def _fresh(code: str, runs: int) -> tuple:
    """(min, median) ms of ``code``'s own timer over ``runs`` fresh interpreters."""
    samples = []
    subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, check=True)
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True
        )
        samples.append(float(out.stdout.strip()))
    return min(samples), statistics.median(samples)


TIMED = "import time; t = time.perf_counter()\n{body}\nprint((time.perf_counter() - t) * 1000)"
OURS_IMPORT = TIMED.format(
    body="from native_lambda.aws.clients import dynamodb\nc = dynamodb.Client()"
)
#: what a function pays on top of the runtime, which has msgspec loaded already
OURS_AFTER_RUNTIME = "import msgspec, msgspec.json, native_lambda._errors\n" + OURS_IMPORT
BOTO3_IMPORT = TIMED.format(body="import boto3\nc = boto3.client('dynamodb')")
HTTPX_IMPORT = TIMED.format(body="import httpx")
HTTPCLIENT_IMPORT = TIMED.format(body="import http.client")
# the package door (and msgspec, which it loads) first: the transport's own cost only
OURS_TRANSPORT_IMPORT = "import native_lambda.aws.protocols\n" + TIMED.format(
    body="import native_lambda.aws.protocols._transport"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # the answer in one write: no delayed-ACK stall per call
    body = json.dumps(ITEM).encode()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def _server() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def _per_call(call, n: int) -> float:
    for _ in range(50):
        call()
    best = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n):
            call()
        best.append((time.perf_counter() - t) / n * 1e6)
    return min(best)


def _calls(url: str, n: int) -> dict:
    os.environ.update({k: v for k, v in ENV.items() if k.startswith("AWS_")})
    import botocore.session

    from native_lambda.aws.clients import dynamodb

    ours = dynamodb.Client(endpoint_url=url)
    theirs = botocore.session.get_session().create_client("dynamodb", endpoint_url=url)
    key = {"pk": {"S": "order-1"}}
    results = {
        "ours": _per_call(lambda: ours.get_item(TableName="t", Key=key), n),
        "botocore": _per_call(lambda: theirs.get_item(TableName="t", Key=key), n),
    }
    import httpx

    from native_lambda.aws.protocols import _transport

    body = b'{"TableName":"t"}'
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    host = url.split("//")[1]
    results["raw-socket keep-alive (ours)"] = _per_call(
        lambda: _transport.send("http", host, "POST", "/", headers, body), n
    )
    with httpx.Client() as client:
        results["httpx.Client"] = _per_call(
            lambda: client.post(url + "/", content=body, headers=headers).read(), n
        )
    import http.client

    conn = http.client.HTTPConnection(host)

    def plain() -> None:
        conn.request("POST", "/", body=body, headers=headers)
        conn.getresponse().read()

    results["http.client keep-alive"] = _per_call(plain, n)
    conn.close()
    return results


def _sizes() -> list:
    rows = []
    for path in sorted(CLIENTS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        source = path.read_bytes()
        code = marshal.dumps(compile(source, str(path), "exec"))
        zipped = []
        for data in (source, code):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("m", data)
            zipped.append(len(buf.getvalue()))
        rows.append((path.stem, len(source), zipped[0], zipped[1]))
    return rows


def main() -> int:
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    n = int(os.environ.get("BENCH_CALLS", "500"))
    print(f"### AWS clients (CPython {sys.version.split()[0]})\n")
    print("| measure | native-lambda | boto3 / botocore |")
    print("|---|---|---|")
    ours = _fresh(OURS_IMPORT, runs)
    after = _fresh(OURS_AFTER_RUNTIME, runs)
    boto = _fresh(BOTO3_IMPORT, max(5, runs // 3))
    print(
        f"| import + DynamoDB client, min / median ms | {ours[0]:.1f} / {ours[1]:.1f} | "
        f"{boto[0]:.1f} / {boto[1]:.1f} |"
    )
    print(
        f"| the same with msgspec already loaded (as in the runtime), min / median ms | "
        f"{after[0]:.1f} / {after[1]:.1f} | |"
    )
    calls = _calls(_server(), n)
    ratio = calls["ours"] / calls["botocore"]
    print(
        f"| GetItem per call, local server, µs | {calls['ours']:.0f} | "
        f"{calls['botocore']:.0f} (ours = {ratio:.2f}x) |"
    )
    print("\n| transport | import, min / median ms | bare POST per call, µs |")
    print("|---|---|---|")
    mine = _fresh(OURS_TRANSPORT_IMPORT, runs)
    hc = _fresh(HTTPCLIENT_IMPORT, runs)
    hx = _fresh(HTTPX_IMPORT, runs)
    print(
        f"| raw-socket keep-alive (ours) | {mine[0]:.1f} / {mine[1]:.1f} | "
        f"{calls['raw-socket keep-alive (ours)']:.0f} |"
    )
    print(
        f"| http.client keep-alive | {hc[0]:.1f} / {hc[1]:.1f} | "
        f"{calls['http.client keep-alive']:.0f} |"
    )
    print(f"| httpx.Client | {hx[0]:.1f} / {hx[1]:.1f} | {calls['httpx.Client']:.0f} |")
    print("\n| client module | source bytes | source zipped | byte code zipped |")
    print("|---|---|---|---|")
    for name, size, zsrc, zcode in _sizes():
        print(f"| {name} | {size:,} | {zsrc:,} | {zcode:,} |")
    print()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import clients_cbor  # CloudWatch: the json fallback against smithy-rpc-v2-cbor

    return clients_cbor.main()


if __name__ == "__main__":
    sys.exit(main())
