"""A realistic function on moto, side by side: SQS-triggered, writes each record to DynamoDB.

- CPython + awslambdaric + boto3 (``function_clients/orders_boto3.py``), from a clean venv
  holding only what it needs;
- native-lambda compiled (the project's builder, host target) + the generated DynamoDB
  client (``function_clients/orders_native.py``).

Both talk to the same moto server over HTTP. For each contender, ``BENCH_COLD`` fresh
processes (cold starts, alternating between the contenders so both meet the same load)
against the bench's Runtime API server: init (spawn -> first ``GET /next``), the first
invocation, warm round trips (``BENCH_WARM`` invocations of a 3-record batch) and peak RSS;
plus import + client construction measured inside the function. Prints a Markdown table;
every number is measured here, on this machine.
"""

from __future__ import annotations

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from scripts.bench.runtimes import Runtime, make_clean_venv, unpack_dist  # noqa: E402
from scripts.bench.session import Session  # noqa: E402

FN_DIR = Path(__file__).resolve().parent / "function_clients"
BOTO3_STACK = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "six.py", "urllib3")
TABLE = "bench-orders"


def _event(n: int = 3, report: bool = False) -> bytes:
    records = [
        {
            "messageId": f"m-{i}",
            "eventSource": "aws:sqs",
            "body": json.dumps({"id": f"order-{i}", "total": 10 + i}),
        }
        for i in range(n)
    ]
    return json.dumps({"Records": records, "report_init": report}).encode()


def _moto() -> tuple:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("bench: moto did not start") from None
            time.sleep(0.2)


def _aws_env(url: str) -> dict:
    return {
        "AWS_ACCESS_KEY_ID": "AKIDBENCHCLIENTS0001",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
        "ORDERS_TABLE": TABLE,
    }


def _create_table(env: dict) -> None:
    os.environ.update(env)
    from native_lambda.aws.clients import dynamodb

    dynamodb.Client().create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _boto3_venv(work: Path) -> Path:
    """The bench's clean venv plus the boto3 stack, linked from this environment."""
    from scripts.bench import pyenvs

    python = make_clean_venv(work)
    site = next((python.parent.parent / "lib").glob("python*/site-packages"))
    dev_site = pyenvs.site_packages(Path(sys.executable))
    for name in BOTO3_STACK:
        link = site / name
        if not link.exists():
            link.symlink_to(dev_site / name)
    return python


def _native(work: Path) -> Path:
    """Compile ``orders_native.handler`` with the project's builder (incremental re-runs)."""
    from native_lambda.handler_ref import HandlerRef
    from native_lambda_toolchain.build import pipeline
    from native_lambda_toolchain.build.config import BuildConfig

    # No exclusions: the build leaves the unused httpx adapter out by itself (build/reach.py).
    config = BuildConfig(project_dir=FN_DIR, handler=HandlerRef.parse("orders_native.handler"))
    result = pipeline.build(
        pipeline.BuildRequest(
            config=config,
            target="host",
            out_dir=work / "dist-clients",
            work_dir=work / "build-clients",
            progress=None,
        )
    )
    return unpack_dist(result.dist_dir, work / "unpacked-clients").task_dir


def _cold_start(runtime: Runtime, logs: Path, warm: int) -> dict:
    """One cold start of ``runtime``: init, first invocation, warm round trips, RSS and the
    import + construction time the function reports."""
    log = logs / f"{runtime.name}.log"
    log.unlink(missing_ok=True)
    with Session(runtime, logs) as session:
        session.start(_event(report=True))
        session.run_group("warm", _event(), warm)
    r = session.result
    text = log.read_text(errors="replace")
    found = re.search(r"CLIENT_INIT_MS ([0-9.]+)", text)
    parts = re.search(r"PARTS ([0-9.]+) ([0-9.]+) ([0-9.]+)", text)
    collected = re.search(r" GC ([0-9.]+)", text)
    return {
        "init": r.init_ms,
        "first": r.first_ms,
        "trips": r.round_trips_us["warm"],
        "rss": max(r.rss_kb.values()),
        "client": float(found.group(1)) if found else float("nan"),
        "parts": [float(p) for p in parts.groups()] if parts else None,
        "gc": float(collected.group(1)) if collected else None,
    }


def _summary(runs: list) -> dict:
    inits = [r["init"] for r in runs]
    client = [r["client"] for r in runs]
    return {
        "init": (min(inits), statistics.median(inits)),
        "first": statistics.median(r["first"] for r in runs),
        "warm_ms": statistics.median(t for r in runs for t in r["trips"]) / 1000,
        "rss_mb": max(r["rss"] for r in runs) / 1024,
        "client": (min(client), statistics.median(client)),
        # the native function's parts: doors + base client, the module, construction
        "parts": [min(p) for p in zip(*(r["parts"] for r in runs))] if runs[0]["parts"] else None,
        "gc": (min(r["gc"] for r in runs), statistics.median(r["gc"] for r in runs))
        if runs[0]["gc"] is not None
        else None,
    }


def main() -> int:
    out = Path(os.environ.get("BENCH_OUT", REPO / "bench-results")).resolve()
    work, logs = out / "work", out / "logs"
    work.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    cold = int(os.environ.get("BENCH_COLD", "7"))
    warm = int(os.environ.get("BENCH_WARM", "50"))
    task = _native(work)
    python = _boto3_venv(work)
    moto, url = _moto()
    try:
        env = _aws_env(url)
        _create_table(env)
        native = Runtime(
            "orders-native",
            "native-lambda compiled + generated client",
            [str(task / "bootstrap")],
            cwd=task,
            env={
                **env,
                "_HANDLER": "orders_native.handler",
                "LD_LIBRARY_PATH": f"{task.parent / 'opt' / 'lib'}:{task}",
                "LAMBDA_TASK_ROOT": str(task),
            },
        )
        boto = Runtime(
            "orders-boto3",
            "CPython + awslambdaric + boto3",
            [str(python), "-m", "awslambdaric", "orders_boto3.handler"],
            cwd=FN_DIR,
            env={**env, "_HANDLER": "orders_boto3.handler", "LAMBDA_TASK_ROOT": str(FN_DIR)},
        )
        # Alternate the contenders cold start by cold start: on a shared machine both meet
        # the same load, and the ratios stay meaningful when the absolute numbers move.
        runs: dict = {boto.name: [], native.name: []}
        load = [os.getloadavg()[0]]
        for _ in range(cold):
            for rt in (boto, native):
                runs[rt.name].append(_cold_start(rt, logs, warm))
            load.append(os.getloadavg()[0])
        results = {name: _summary(r) for name, r in runs.items()}
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    b, n = results["orders-boto3"], results["orders-native"]
    print(
        f"### SQS -> DynamoDB function on moto ({cold} cold starts each, alternated, "
        f"{warm} warm each; load average {min(load):.1f}-{max(load):.1f})\n"
    )
    print("| measure | CPython + awslambdaric + boto3 | native-lambda compiled | ratio |")
    print("|---|---|---|---|")
    print(
        f"| init, min / median ms | {b['init'][0]:.1f} / {b['init'][1]:.1f} | "
        f"{n['init'][0]:.1f} / {n['init'][1]:.1f} | {n['init'][1] / b['init'][1]:.2f}x |"
    )
    print(
        f"| client import + construction in the function, min / median ms | "
        f"{b['client'][0]:.1f} / {b['client'][1]:.1f} | "
        f"{n['client'][0]:.2f} / {n['client'][1]:.2f} | "
        f"{n['client'][1] / b['client'][1]:.3f}x |"
    )
    if n["parts"]:
        doors, module, construct = n["parts"]
        print(
            f"| of which, without collections: package doors + base client / DynamoDB module "
            f"/ construction, min ms | | {doors:.2f} / {module:.2f} / {construct:.2f} | |"
        )
    if n["gc"]:
        print(
            f"| of which: garbage collections in that window, min / median ms | | "
            f"{n['gc'][0]:.2f} / {n['gc'][1]:.2f} | |"
        )
    print(
        f"| first invocation (3 puts, new connection), median ms | {b['first']:.1f} | "
        f"{n['first']:.1f} | {n['first'] / b['first']:.2f}x |"
    )
    print(
        f"| warm invocation (3 puts), median ms | {b['warm_ms']:.2f} | {n['warm_ms']:.2f} | "
        f"{n['warm_ms'] / b['warm_ms']:.2f}x |"
    )
    print(
        f"| peak RSS, MB | {b['rss_mb']:.1f} | {n['rss_mb']:.1f} | "
        f"{n['rss_mb'] / b['rss_mb']:.2f}x |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
