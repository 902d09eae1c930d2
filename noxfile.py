"""Developer sessions. `build` is the main job: compile the example and invoke it locally."""

from __future__ import annotations

import nox

nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

EVERYTHING = ".[toolchain,test,aws,bench]"
EXAMPLE_PAYLOAD = '{"name": "World", "times": 2}'


@nox.session
def build(session: nox.Session) -> None:
    """Compile the example into dist/function.zip + dist/layer.zip, then invoke it sandboxed."""
    session.install("-e", ".[toolchain]")
    session.run("native-lambda", "build", *session.posargs)
    session.run("native-lambda", "run", "--payload", EXAMPLE_PAYLOAD)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite; compile, root and docker tests skip with a reason where unavailable.
    The slow arm64-under-emulation build is left to `nox -s arm64` (CI's budget)."""
    session.install("-e", EVERYTHING)
    session.run(
        "pytest",
        "-m",
        "not arm64",
        *session.posargs,
        env={"PYTHONUNBUFFERED": "1"},
    )


@nox.session
def deps(session: nox.Session) -> None:
    """Only the tests of the shared third-party dependency build (Powertools, pydantic,
    requests, orjson, numpy, cryptography, psycopg) in the bullseye container, each handler
    compared with CPython in the sandbox; `nox -s tests` runs them too."""
    session.install("-e", EVERYTHING)
    session.run("pytest", "-m", "deps_build", "-v", *session.posargs, env={"PYTHONUNBUFFERED": "1"})


#: The tests that run the shared compiled build (``built_example``), its compiled side only;
#: the TLS tests use a build of their own on the test venv's Python.
COMPILED_SUITE = (
    "tests/streaming",
    "tests/concurrency",
    "tests/build/test_sandbox.py",
    "tests/build/test_startup_tuning.py",
    "tests/cli/test_run_compiled.py",
    "tests/clients/test_compiled.py",
    "tests/aws/test_compiled_example.py",
)
OWN_BUILDS = "tls or init_error_for_a_bad_handler or sigterm_reaches or missing_a_library"
COMPILED_PYTHONS = ("3.9", "3.11", "3.13")


@nox.session
def compiled(session: nox.Session) -> None:
    """The compiled runtime suite against the shared build made with each Python:
    `nox -s compiled -- 3.13` (default: 3.9 in the bullseye container, then 3.11 and 3.13 on
    the host). A cold build is minutes per Python, so `nox -s tests` makes only its own."""
    session.install("-e", EVERYTHING)
    versions = session.posargs or list(COMPILED_PYTHONS)
    for version in versions:
        session.log(f"compiled runtime suite, shared build on Python {version}")
        session.run(
            *("pytest", "-m", "compile", "-k", f"not cpython and not ({OWN_BUILDS})"),
            "-q",
            *COMPILED_SUITE,
            env={"PYTHONUNBUFFERED": "1", "NATIVE_LAMBDA_TEST_BUILD_PYTHON": version},
        )


@nox.session
def arm64(session: nox.Session) -> None:
    """arm64 (Graviton) on an x86_64 machine, under qemu binfmt emulation (root): the arm64
    stand-in image, then the example built in it and invoked in the arm64 sandbox (slow)."""
    session.install("-e", ".[toolchain,test]")
    session.run("bash", "scripts/setup-binfmt.sh", external=True)
    session.run("bash", "scripts/make-bullseye-image.sh", "--arch", "arm64", external=True)
    session.run(
        "pytest", "-m", "arm64", "-v", "-s", *session.posargs, env={"PYTHONUNBUFFERED": "1"}
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint + format check) and mypy over the runtime and the toolchain."""
    session.install("-e", EVERYTHING, "mypy")  # ruff comes pinned with the test extra
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Cold start, warm round trip, memory and size side by side with awslambdaric and a C floor;
    then, when a Docker engine answers, the container build's clean vs one-line-change rebuild."""
    session.install("-e", EVERYTHING)
    session.run("python", "scripts/bench/run.py", "--target", "host", *session.posargs)
    # where the init time and the memory go (run.py's Python 3.13 build), and the bound of
    # msgspec's deferrable imports (README "Benchmarks")
    session.run("python", "scripts/bench/breakdown.py")
    session.run("python", "scripts/bench/blob_walk.py")
    session.run("python", "scripts/bench/msgspec_defer.py")
    # run.py's options (--python, --cold ...) are not events.py's; --quick is both's
    quick = [a for a in session.posargs if a == "--quick"]
    session.run("python", "scripts/bench/events.py", *quick)
    session.run("python", "scripts/bench/streaming.py")
    session.run("python", "scripts/bench/async_concurrency.py")
    session.run("python", "scripts/bench/clients.py")
    session.run("python", "scripts/bench/clients_function.py")
    engine = session.run("python", "-c", ENGINE_PROBE, silent=True, success_codes=[0, 1], log=False)
    if engine and engine.strip() == "yes":
        session.run("python", "scripts/bench/container_rebuild.py", "--check")
        session.run("python", "scripts/bench/deps.py")
    else:
        session.log("container rebuild bench skipped: no Docker engine reachable")


ENGINE_PROBE = (
    "from native_lambda_toolchain.container import engine_reachable; "
    "print('yes' if engine_reachable() else 'no')"
)


@nox.session
def deploy(session: nox.Session) -> None:
    """Deploy dist/ (run `build` first). Needs AWS credentials, AWS_REGION and LAMBDA_ROLE_ARN;
    AWS_ENDPOINT_URL=http://127.0.0.1:5000 deploys to a moto server instead."""
    session.install("-e", ".[toolchain]")
    session.run("bash", "scripts/deploy.sh", *session.posargs, external=True)


@nox.session
def invoke(session: nox.Session) -> None:
    """Invoke the deployed function; `nox -s invoke -- NAME JSON --local` uses the emulator."""
    session.install("-e", ".[toolchain]")
    session.run("bash", "scripts/invoke.sh", *session.posargs, external=True)
