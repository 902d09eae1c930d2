"""Benchmark row for a function with third-party dependencies: the Powertools + pydantic REST
example (``examples/orders_api.py``, built in the test suite's dependency project) compiled by
native-lambda, against the same function under awslambdaric with the same requirements.

    python scripts/bench/deps.py                  # container build (bullseye stand-in), race
    python scripts/bench/deps.py --dist DIR       # a prebuilt dist/ of tests/deps/project
    python scripts/bench/deps.py --rounds 3       # fewer cold starts

Both run on the host against the bench Runtime API server (``server.py``): init is spawn to
the first GET /next (wall and the process's CPU time), RSS is VmHWM after the first invocation
and after 200 more. Sizes: native-lambda's function.zip + layer.zip against the zip a Python
function would upload (the requirements installed with pip for the same platform, plus the
handler). Every answer is checked against CPython's. Writes bench-results/deps.md and .json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench.runtimes import Runtime, unpack_dist  # noqa: E402
from scripts.bench.server import Outcome  # noqa: E402
from scripts.bench.session import Session, SessionError  # noqa: E402

PROJECT = REPO / "tests" / "deps" / "project"
HANDLER = "orders_api.handler"
BULLSEYE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")
EVENT = {
    "resource": "/orders",
    "path": "/orders",
    "httpMethod": "POST",
    "headers": {"Content-Type": "application/json"},
    "multiValueHeaders": {"Content-Type": ["application/json"]},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "requestContext": {
        "accountId": "000000000000",
        "apiId": "api",
        "httpMethod": "POST",
        "path": "/prod/orders",
        "requestId": "bench",
        "resourcePath": "/orders",
        "stage": "prod",
        "identity": {"sourceIp": "127.0.0.1"},
    },
    "body": json.dumps({"item": "pear", "quantity": 3}),
    "isBase64Encoded": False,
}
EXPECTED = {"item": "pear", "quantity": 3, "total_cents": 135}


class OrdersSession(Session):
    """A session whose answers are the orders API's reply, not an echo of the event."""

    def _check(self, out: Outcome, event: bytes) -> None:
        try:
            reply = json.loads(bytes(out.body))
            ok = reply["statusCode"] == 200 and json.loads(reply["body"]) == EXPECTED
        except (ValueError, KeyError, TypeError):
            ok = False
        if out.kind != "response" or not ok:
            raise SessionError(f"{self.runtime.name}: bad answer {bytes(out.body[:300])!r}")


def log(text: str) -> None:
    print(f"[bench-deps] {text}", flush=True)


def build(work: Path) -> Path:
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    dist = work / "dist"
    cmd = [sys.executable, "-m", "native_lambda_toolchain", "build", "--target", "al2023"]
    cmd += ["--base-image", BULLSEYE, "--python-version", "3.9", "--out", str(dist)]
    log("building the dependency example in the container (minutes on a cold cache)")
    subprocess.run(cmd, cwd=project, check=True)
    return dist


def python39() -> str:
    found = sorted(glob.glob("/root/.pyenv/versions/3.9*/bin/python"))
    return os.environ.get("NATIVE_LAMBDA_DEPS_CPYTHON") or (found[-1] if found else "python3.9")


def awslambdaric_package(work: Path) -> tuple[Path, Path]:
    """(python of a venv with the requirements + awslambdaric, the upload folder)."""
    venv = work / "ric-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([python39(), "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "awslambdaric", "-r", str(PROJECT / "requirements.txt")], check=True)
    upload = work / "ric-upload"
    if not upload.exists():
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--target"]
        subprocess.run([*pip, str(upload), "-r", str(PROJECT / "requirements.txt")], check=True)
        shutil.rmtree(upload / "bin", ignore_errors=True)
        for path in PROJECT.iterdir():
            if path.suffix == ".py" or path.name == "selfsource":
                dest = upload / path.name
                if path.is_dir():
                    shutil.copytree(path, dest)
                else:
                    shutil.copyfile(path, dest)
    return venv / "bin" / "python", upload


def zip_sizes(folder: Path, out: Path) -> tuple[int, int]:
    """(zipped, unzipped) bytes of ``folder`` zipped as a deployment package."""
    unzipped = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(folder).as_posix())
                unzipped += path.stat().st_size
    return out.stat().st_size, unzipped


def dist_sizes(dist: Path) -> tuple[int, int]:
    zipped = unzipped = 0
    for name in ("function.zip", "layer.zip"):
        path = dist / name
        zipped += path.stat().st_size
        with zipfile.ZipFile(path) as zf:
            unzipped += sum(i.file_size for i in zf.infolist())
    return zipped, unzipped


def race(runtimes: list[Runtime], rounds: int, warm: int, logs: Path) -> dict[str, Any]:
    raw: dict[str, dict[str, list[float]]] = {
        r.name: {"init": [], "init_cpu": [], "rss_first": [], "rss_warm": []} for r in runtimes
    }
    event = json.dumps(EVENT).encode()
    for n in range(rounds):
        order = runtimes[:]
        random.shuffle(order)
        for rt in order:
            with OrdersSession(rt, logs) as session:
                session.start(event)
                session.run_group("warm", event, warm, check_every=50)
                res = session.result
            raw[rt.name]["init"].append(res.init_ms)
            raw[rt.name]["init_cpu"].append(res.init_cpu_ms)
            raw[rt.name]["rss_first"].append(res.rss_kb["init"] / 1024)
            raw[rt.name]["rss_warm"].append(res.rss_kb["warm"] / 1024)
        log(f"round {n + 1}/{rounds} done")
    return raw


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--dist", type=Path, default=None, help="prebuilt dist of tests/deps/project")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--warm", type=int, default=200)
    p.add_argument("--out", type=Path, default=REPO / "bench-results")
    args = p.parse_args(argv)
    work = args.out / "deps-work"
    work.mkdir(parents=True, exist_ok=True)
    dist = args.dist or build(work)
    art = unpack_dist(dist, work / "unpacked")
    ric_python, upload = awslambdaric_package(work)
    native_env = {
        "LD_LIBRARY_PATH": f"{art.opt_dir / 'lib'}:{art.task_dir}",
        "LAMBDA_TASK_ROOT": str(art.task_dir),
        "_HANDLER": HANDLER,
    }
    runtimes = [
        Runtime(
            "native", "native-lambda, compiled", [str(art.bootstrap)], art.task_dir, native_env
        ),
        Runtime(
            "awslambdaric",
            "awslambdaric (CPython 3.9)",
            [str(ric_python), "-m", "awslambdaric", HANDLER],
            upload,
            {"LAMBDA_TASK_ROOT": str(upload), "_HANDLER": HANDLER, "PYTHONPATH": str(upload)},
        ),
    ]
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    raw = race(runtimes, args.rounds, args.warm, logs)
    sizes = {"native": dist_sizes(dist), "awslambdaric": zip_sizes(upload, work / "ric.zip")}
    med = {k: {m: statistics.median(v) for m, v in d.items()} for k, d in raw.items()}
    mib = 1024 * 1024
    lines = [
        "| runtime (orders_api: Powertools + pydantic) | init wall | init CPU | RSS after 1st "
        f"| RSS after {args.warm} more | zipped | unzipped |",
        "|---|---|---|---|---|---|---|",
    ]
    for rt in runtimes:
        m, (zipped, unzipped) = med[rt.name], sizes[rt.name]
        lines.append(
            f"| {rt.label} | {m['init']:.0f} ms | {m['init_cpu']:.0f} ms | "
            f"{m['rss_first']:.1f} MB | {m['rss_warm']:.1f} MB | {zipped / mib:.1f} MB | "
            f"{unzipped / mib:.1f} MB |"
        )
    ratio = med["native"]["init"] / med["awslambdaric"]["init"]
    lines.append("")
    lines.append(f"init wall ratio (compiled / awslambdaric): {ratio:.2f}x, {args.rounds} rounds")
    text = "\n".join(lines)
    (args.out / "deps.md").write_text(text + "\n")
    (args.out / "deps.json").write_text(json.dumps({"raw": raw, "sizes": sizes}, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
