"""Every failure path, checked against the independent Runtime API: awslambdaric's shapes,
the error-type header, and that the runtime serves the next invocation afterwards."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from independent_api import MAX_RESPONSE, PYTHON, ROOT, IndependentApi

HANDLERS = Path(__file__).parent / "handlers"
ERROR_KEYS = ["errorMessage", "errorType", "requestId", "stackTrace"]


def assert_error(out, error_type: str) -> dict:
    assert out.kind == "error", out
    body = out.json()
    assert list(body) == ERROR_KEYS
    # Byte for byte what awslambdaric's keys give in compact JSON.
    assert out.body == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    assert body["errorType"] == error_type
    assert body["requestId"] == out.headers["request-id"]
    assert isinstance(body["stackTrace"], list)
    assert out.headers["lambda-runtime-function-error-type"] == error_type
    assert out.headers["content-type"] == "application/json"
    return body


def assert_still_serving(api: IndependentApi) -> None:
    out = api.invoke({"items": [{"name": "ok", "count": 1}]})
    assert out.json() == {"total": 1, "names": ["ok"]}, api.logs()


def test_malformed_json(serve) -> None:
    api = serve("fns.typed")
    body = assert_error(api.invoke(b'{"items": [}'), "Runtime.UnmarshalError")
    assert body["errorMessage"].startswith("Unable to unmarshal input: JSON is malformed")
    assert body["stackTrace"] == []
    assert_still_serving(api)


def test_wrong_field_type_names_the_field(serve) -> None:
    api = serve("fns.typed")
    out = api.invoke({"items": [{"name": "a", "count": 1}, {"name": "b", "count": "2"}]})
    body = assert_error(out, "Runtime.UnmarshalError")
    assert body["errorMessage"] == (
        "Unable to unmarshal input: Expected `int`, got `str` - at `$.items[1].count`"
    )
    missing = assert_error(api.invoke({"items": [{"name": "a"}]}), "Runtime.UnmarshalError")
    assert "missing required field `count` - at `$.items[0]`" in missing["errorMessage"]
    assert_still_serving(api)


def test_handler_exception(serve) -> None:
    api = serve("fns.raising")
    body = assert_error(api.invoke({"x": 1}), "Boom")
    assert body["errorMessage"] == "exploded on {'x': 1}"
    trace = "".join(body["stackTrace"])
    # The user's frames, outermost first, and none of the runtime's own.
    assert "in raising" in body["stackTrace"][0]
    assert "in inner" in body["stackTrace"][-1]
    assert "native_lambda" not in trace
    # awslambdaric's Text log record: one line (\r-joined), [ERROR] Type: message.
    api.invoke({"x": 2})
    lines = [line for line in api.logs().split("\n") if line.startswith("[ERROR] Boom")]
    assert len(lines) == 2
    assert "\rTraceback (most recent call last):\r" in lines[0]
    assert "\u00a0\u00a0File" in lines[0]


def test_unserialisable_result(serve) -> None:
    api = serve("fns.unserialisable")
    body = assert_error(api.invoke("{}"), "Runtime.MarshalError")
    assert body["errorMessage"].startswith("Unable to marshal response: ")
    assert "object" in body["errorMessage"]
    assert body["stackTrace"] == []
    assert api.invoke("{}").kind == "error"  # and again: still alive


def test_response_over_6mb_is_reported_and_serving_continues(serve) -> None:
    api = serve("fns.huge")
    # Exactly at the limit (the JSON string's two quotes included) is accepted...
    at_limit = api.invoke({"size": MAX_RESPONSE - 2})
    assert at_limit.kind == "response"
    assert len(at_limit.body) == MAX_RESPONSE
    # ...one byte more is answered 413 and becomes an error for that invocation.
    body = assert_error(api.invoke({"size": MAX_RESPONSE - 1}), "Function.ResponseSizeTooLarge")
    assert body["errorMessage"] == (
        f"Response payload size ({MAX_RESPONSE + 1} bytes) exceeded maximum allowed "
        f"payload size ({MAX_RESPONSE} bytes)."
    )
    assert api.invoke({"size": 3}).json() == "xxx"
    statuses = [r.path.rsplit("/", 1)[1] for r in api.records if r.method == "POST"]
    assert statuses == ["response", "response", "error", "response"]


def test_bad_client_context_header(serve) -> None:
    api = serve("fns.context_fields")
    out = api.invoke("{}", headers={"Lambda-Runtime-Client-Context": "{not json"})
    body = assert_error(out, "Runtime.LambdaContextUnmarshalError")
    assert body["errorMessage"].startswith("Unable to parse Client Context JSON: ")
    assert api.invoke("{}").kind == "response"


SYNTAX_ERROR = "def handler(event, context)\n    return 1\n"
IMPORT_RAISES = "raise RuntimeError('config missing at import')\n"
IMPORT_MISSING_DEP = "import definitely_not_installed_xyz\n"


@pytest.mark.parametrize(
    ("handler", "source", "error_type", "message"),
    [
        ("nodot", None, "Runtime.MalformedHandlerName", "Bad handler 'nodot': "),
        ("", None, "Runtime.MalformedHandlerName", "Bad handler '': "),
        # The build's grammar (HandlerRef): every part a Python name, checked before import.
        (
            "my-app.handler",
            "def handler(e, c):\n    return 1\n",
            "Runtime.MalformedHandlerName",
            "Bad handler 'my-app.handler': 'my-app' is not a Python name",
        ),
        (
            "no_such_module.handler",
            None,
            "Runtime.ImportModuleError",
            "Unable to import module 'no_such_module': No module named 'no_such_module'",
        ),
        (
            "app.handler",
            IMPORT_MISSING_DEP,
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'definitely_not_installed_xyz'",
        ),
        ("app.handler", IMPORT_RAISES, "RuntimeError", "config missing at import"),
        (
            "app.handler",
            SYNTAX_ERROR,
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module 'app'",
        ),
        (
            "app.nothere",
            "def handler(e, c):\n    return 1\n",
            "Runtime.HandlerNotFound",
            "Handler 'nothere' missing on module 'app'",
        ),
        (
            "sys.handler",
            None,
            "Runtime.BuiltInModuleConflict",
            "Cannot use built-in module sys as a handler module",
        ),
        ("app.value", "value = 42\n", "Runtime.HandlerTypeError", "Handler 42 is not callable"),
        (
            "app.handler",
            "def handler(event: 'Missing', context):\n    return 1\n",
            "Runtime.HandlerTypeError",
            "Cannot resolve the handler's event annotation 'Missing'",
        ),
    ],
)
def test_init_errors(
    api: IndependentApi,
    tmp_path: Path,
    handler: str,
    source: str | None,
    error_type: str,
    message: str,
) -> None:
    task_root = tmp_path / "task"
    task_root.mkdir()
    if source is not None:
        (task_root / "app.py").write_text(source)
    env = {"LAMBDA_TASK_ROOT": str(task_root)}
    if not handler:
        env["_HANDLER"] = ""
    api.start_runtime(handler or None, env=env, tmp_path=tmp_path)
    assert api.wait_exit() == 1, api.logs()
    assert len(api.init_errors) == 1
    record = api.init_errors[0]
    body = json.loads(record.body)
    assert list(body) == ERROR_KEYS
    assert body["errorType"] == error_type
    assert body["errorMessage"].startswith(message), body
    assert body["requestId"] == ""
    assert record.headers["lambda-runtime-function-error-type"] == error_type
    # Nothing else was asked of the API: no next after a failed init.
    assert [r.path for r in api.records] == ["/2018-06-01/runtime/init/error"]
    if source == IMPORT_RAISES:
        assert len(body["stackTrace"]) == 1
        assert "app.py" in body["stackTrace"][0]
        assert "importlib" not in body["stackTrace"][0]
    if source == SYNTAX_ERROR:
        assert body["stackTrace"][0].startswith(f'  File "{task_root / "app.py"}" Line 1')
    assert f"[ERROR] {error_type}: " in api.logs()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def runtime_env(address: str) -> dict[str, str]:
    import os

    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_LAMBDA_RUNTIME_API": address,
        "PYTHONPATH": str(ROOT / "src"),
    }


def test_runtime_api_unreachable_exits_with_one_clear_line() -> None:
    address = f"127.0.0.1:{free_port()}"
    done = subprocess.run(
        [PYTHON, "-m", "native_lambda", "examples.greeting.handler"],
        env=runtime_env(address),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"native_lambda: Runtime API at {address} failed: cannot connect")
    assert lines[0].endswith("; exiting")


def test_runtime_api_500_on_next_exits() -> None:
    with IndependentApi(next_status=500) as api:
        api.start_runtime("examples.greeting.handler")
        assert api.wait_exit() == 2
        log = api.logs().strip().splitlines()
        assert log == [
            f"native_lambda: Runtime API at {api.address} failed: GET /runtime/invocation/next "
            'answered 500: {"errorMessage": "injected", "errorType": "X"}; exiting'
        ]


def test_runtime_api_without_address_exits() -> None:
    done = subprocess.run(
        [PYTHON, "-m", "native_lambda", "examples.greeting.handler"],
        env=runtime_env(""),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "AWS_LAMBDA_RUNTIME_API is not set" in done.stderr


def xray_cause(out) -> dict:
    value = out.headers["lambda-runtime-function-xray-error-cause"]
    assert value.isascii() and "\n" not in value
    return json.loads(value)


def test_invocation_errors_carry_the_xray_error_cause(serve) -> None:
    api = serve("fns.raising")
    out = api.invoke({"x": 1})
    cause = xray_cause(out)
    assert list(cause) == ["working_directory", "exceptions", "paths"]
    assert cause["working_directory"] == str(ROOT)  # the runtime's cwd
    [exception] = cause["exceptions"]
    assert exception["type"] == "Boom"
    assert exception["message"] == "exploded on {'x': 1}"
    fns = str(HANDLERS / "fns.py")
    assert [(f["label"], f["path"]) for f in exception["stack"]] == [
        ("raising", fns),
        ("inner", fns),
    ]
    assert all(isinstance(f["line"], int) and f["line"] > 0 for f in exception["stack"])
    assert cause["paths"] == [fns]
    # The runtime's own failures: awslambdaric's LambdaValidationError, no stack.
    with IndependentApi() as typed:
        typed.start_runtime("fns.typed", env={"LAMBDA_TASK_ROOT": str(HANDLERS)})
        unmarshal = xray_cause(typed.invoke(b"{"))
    assert unmarshal["exceptions"][0]["type"] == "LambdaValidationError"
    assert unmarshal["exceptions"][0]["message"].startswith("Unable to unmarshal input")
    assert unmarshal["exceptions"][0]["stack"] == [] and unmarshal["paths"] == []


def test_xray_error_cause_is_capped_and_keeps_the_innermost_frames(serve) -> None:
    api = serve("fns.deep")
    small = xray_cause(api.invoke({"depth": 3, "size": 10}))
    assert small["exceptions"][0]["message"] == "é😀" + "m" * 8  # non-ASCII escaped, not lost
    out = api.invoke({"depth": 600, "size": 100_000})
    header = out.headers["lambda-runtime-function-xray-error-cause"]
    assert 16 * 1024 < len(header) <= 32 * 1024
    [exception] = json.loads(header)["exceptions"]
    assert exception["message"] == "é😀" + "m" * 1022 + "..."
    labels = [f["label"] for f in exception["stack"]]
    assert 10 < len(labels) < 600
    assert set(labels) == {"down"}  # the outermost (deep, then down...) were dropped
    # The error result itself is whole.
    assert len(out.json()["errorMessage"]) == 100_000
