"""Happy paths: typed, untyped, raw and async handlers, the context, the entry points."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from independent_api import PYTHON, ROOT, IndependentApi

HANDLERS = Path(__file__).parent / "handlers"


def test_typed_event_and_result(serve) -> None:
    api = serve("fns.typed")
    out = api.invoke({"items": [{"name": "a", "count": 2}, {"name": "b", "count": 5}]})
    assert out.kind == "response"
    assert out.json() == {"total": 7, "names": ["a", "b"]}
    assert out.headers["content-type"] == "application/json"


def test_example_greeting_and_its_error_path(api: IndependentApi, tmp_path: Path) -> None:
    # The example is found as a dotted package from the working directory (the repo root).
    api.start_runtime("examples.greeting.handler", tmp_path=tmp_path)
    ok = api.invoke({"name": "Ana", "times": 2})
    assert ok.json() == {
        "message": "Hello, Ana! Hello, Ana!",
        "request_id": ok.headers["request-id"],
    }
    bad = api.invoke({"name": ""})
    assert bad.kind == "error"
    assert bad.json()["errorType"] == "EmptyNameError"
    assert bad.json()["errorMessage"] == "name must not be empty"
    assert api.invoke({"name": "Bo"}).json()["message"] == "Hello, Bo!"


def test_untyped_handler_gets_plain_json(serve) -> None:
    api = serve("fns.untyped")
    cases = [
        ({"a": [1, 2]}, "dict"),
        ([1, "x"], "list"),
        ("text", "str"),
        (None, "NoneType"),
        (3.5, "float"),
    ]
    for event, type_name in cases:
        assert api.invoke(json.dumps(event)).json() == {"echo": event, "type": type_name}


def test_dict_annotation_and_list_result(serve) -> None:
    api = serve("fns.as_dict")
    assert api.invoke({"b": 1, "a": 2}).json() == ["a", "b"]
    wrong = api.invoke([1, 2])
    assert wrong.json()["errorType"] == "Runtime.UnmarshalError"
    assert "Expected `object`, got `array`" in wrong.json()["errorMessage"]


def test_bytes_in_and_out_are_raw(serve) -> None:
    api = serve("fns.raw")
    out = api.invoke(b"not json at all")
    assert out.body == b"raw:not json at all"
    assert out.headers["content-type"] == "application/unknown"


def test_async_handler(serve) -> None:
    api = serve("fns.asynchronous")
    for n in range(3):
        assert api.invoke({"n": n}).json() == {"async": True, "n": n}


def test_sync_handler_never_imports_asyncio(tmp_path: Path, api: IndependentApi) -> None:
    (tmp_path / "probe.py").write_text(
        "import sys\ndef handler(event, context):\n    return 'asyncio' in sys.modules\n"
    )
    api.start_runtime("probe.handler", env={"LAMBDA_TASK_ROOT": str(tmp_path)}, tmp_path=tmp_path)
    assert api.invoke("{}").json() is False


def test_context_fields_and_trace_env(serve) -> None:
    api = serve("fns.context_fields")
    trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
    client_context = {
        "client": {
            "installation_id": "inst-1",
            "app_title": "Greeter",
            "app_version_name": "1.0",
            "app_version_code": "100",
            "app_package_name": "com.example",
        },
        "custom": {"k": "v"},
        "env": {"platform": "Android"},
    }
    identity = {"cognitoIdentityId": "us-east-1:id", "cognitoIdentityPoolId": "us-east-1:pool"}
    out = api.invoke(
        "{}",
        headers={
            "Lambda-Runtime-Trace-Id": trace,
            "Lambda-Runtime-Client-Context": json.dumps(client_context),
            "Lambda-Runtime-Cognito-Identity": json.dumps(identity),
            "Lambda-Runtime-Aws-Tenant-Id": "tenant-42",
        },
    ).json()
    assert out["aws_request_id"]
    assert out["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:greeter"
    assert 290_000 < out["remaining"] <= 300_000
    assert out["deadline_ms"] > 1_700_000_000_000
    assert out["function_name"] == "greeter"
    assert out["function_version"] == "$LATEST"
    assert out["memory_limit_in_mb"] == "256"
    assert out["log_group_name"] == "/aws/lambda/greeter"
    assert out["log_stream_name"] == "2026/01/01/[$LATEST]abc"
    assert out["tenant_id"] == "tenant-42"
    assert out["xray_trace_id"] == trace
    assert out["env_trace"] == trace
    assert out["identity"] == ["us-east-1:id", "us-east-1:pool"]
    assert out["client_context"] == client_context

    # Next invocation without those headers: trace env cleared, no client context.
    plain = api.invoke("{}").json()
    assert plain["env_trace"] is None
    assert plain["xray_trace_id"] is None
    assert plain["client_context"] is None
    assert plain["identity"] == [None, None]
    assert plain["tenant_id"] is None
    assert plain["aws_request_id"] != out["aws_request_id"]


def test_thousand_sequential_invocations_none_lost_or_duplicated(serve) -> None:
    api = serve("fns.counter")
    seen = []
    for i in range(1000):
        out = api.invoke({"i": i})
        assert out.kind == "response"
        body = out.json()
        assert body == {"i": i, "id": out.headers["request-id"]}
        seen.append(body["id"])
    assert len(set(seen)) == 1000
    api.wait_for(lambda records: len(records) == 2001)  # the last next is parked
    responses = [r for r in api.records if r.path.endswith("/response")]
    nexts = [r for r in api.records if r.path.endswith("/invocation/next")]
    assert len(responses) == 1000
    assert len(nexts) == 1001
    # All of it over one keep-alive connection.
    assert len({r.peer for r in api.records}) == 1


def test_handler_from_env_and_task_root(api: IndependentApi, tmp_path: Path) -> None:
    task_root = tmp_path / "task"
    task_root.mkdir()
    (task_root / "app.py").write_text("def main(event, context):\n    return {'from': 'root'}\n")
    api.start_runtime(
        None, env={"_HANDLER": "app.main", "LAMBDA_TASK_ROOT": str(task_root)}, tmp_path=tmp_path
    )
    assert api.invoke("{}").json() == {"from": "root"}


def test_handler_from_cwd_with_slash_module_path(api: IndependentApi, tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("def fn(event, context):\n    return 'cwd'\n")
    api.start_runtime("pkg/mod.fn", cwd=tmp_path, tmp_path=tmp_path)
    assert api.invoke("{}").json() == "cwd"


def test_serve_api_with_type_override_and_string_annotations(
    api: IndependentApi, tmp_path: Path
) -> None:
    script = tmp_path / "main.py"
    script.write_text(
        textwrap.dedent(
            """
            from __future__ import annotations
            import msgspec
            from native_lambda import serve, Context

            class Point(msgspec.Struct):
                x: int
                y: int

            def handler(event: Point, context: Context) -> dict:
                return {"sum": event.x + event.y}

            class Named(msgspec.Struct):
                name: str

            if __name__ == "__main__":
                import sys
                if sys.argv[1:] == ["override"]:
                    serve(lambda e, c: {"name": e.name}, event_type=Named)
                serve(handler)
            """
        )
    )
    env = {"PYTHONPATH": str(ROOT / "src")}
    api.process = __import__("subprocess").Popen(
        [PYTHON, str(script)],
        env={**api_env(api), **env},
        cwd=tmp_path,
    )
    assert api.invoke({"x": 2, "y": 3}).json() == {"sum": 5}
    assert "`$.y`" in api.invoke({"x": 2, "y": "3"}).json()["errorMessage"]
    # The same script with the override: the lambda is unannotated, event_type decides.
    with IndependentApi() as other:
        other.process = __import__("subprocess").Popen(
            [PYTHON, str(script), "override"], env={**api_env(other), **env}, cwd=tmp_path
        )
        assert other.invoke({"name": "n"}).json() == {"name": "n"}
        missing = other.invoke({"x": 1}).json()["errorMessage"]
        assert missing == "Unable to unmarshal input: Object missing required field `name`"


def test_serve_event_type_override(api: IndependentApi, tmp_path: Path) -> None:
    script = tmp_path / "main.py"
    script.write_text(
        textwrap.dedent(
            """
            import msgspec
            from native_lambda import serve

            class Named(msgspec.Struct):
                name: str

            serve(lambda e, c: {"name": e.name, "cls": type(e).__name__}, event_type=Named)
            """
        )
    )
    api.process = __import__("subprocess").Popen(
        [PYTHON, str(script)], env=api_env(api), cwd=tmp_path
    )
    assert api.invoke({"name": "n"}).json() == {"name": "n", "cls": "Named"}
    assert api.invoke({"nom": "n"}).json()["errorMessage"] == (
        "Unable to unmarshal input: Object missing required field `name`"
    )


def api_env(api: IndependentApi) -> dict[str, str]:
    import os

    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "PYTHONPATH": str(ROOT / "src"),
    }


def test_callable_instance_and_bound_methods_use_their_annotations(
    api: IndependentApi, tmp_path: Path
) -> None:
    for spec, expected in (
        ("fns.instance", "call:a"),
        ("fns.bound", "method:2"),
        ("fns.abound", "amethod:a"),
    ):
        with IndependentApi() as server:
            server.start_runtime(spec, env={"LAMBDA_TASK_ROOT": str(HANDLERS)}, tmp_path=tmp_path)
            assert server.invoke({"name": "a", "count": 2}).json() == expected
            wrong = server.invoke({"name": "a", "count": "2"}).json()
            assert wrong["errorMessage"].endswith("at `$.count`"), spec


def test_decorated_handlers_decode_through_wrapped(serve) -> None:
    batch = {"items": [{"name": "a", "count": 2}, {"name": "b", "count": 5}]}
    out = {"total": 7, "names": ["a", "b"]}
    for spec, expected in (
        ("decorated.wrapped", out),
        ("decorated.stacked", {"out": out, "calls": ["inject:True", "logged"]}),
        ("decorated.bound", out),
    ):
        with IndependentApi() as api:
            api.start_runtime(spec, env={"LAMBDA_TASK_ROOT": str(HANDLERS)})
            assert api.invoke(batch).json() == expected, (spec, api.logs())
            wrong = api.invoke({"items": [{"name": "a", "count": "2"}]}).json()
            assert wrong["errorType"] == "Runtime.UnmarshalError", spec
            assert wrong["errorMessage"].endswith("at `$.items[0].count`"), spec
            assert "__wrapped__" not in api.logs()


def test_wrapper_hiding_the_event_type_warns_once_at_init(serve) -> None:
    api = serve("decorated.hidden")
    for _ in range(3):
        assert api.invoke({"items": []}).json() == {"type": "dict"}
    warnings = [line for line in api.logs().splitlines() if "__wrapped__" in line]
    assert warnings == [
        "native_lambda: handler decorated.hidden takes (*args) and has no __wrapped__, so its "
        "event type is unknown and events arrive as plain JSON; decorate the wrapper with "
        "functools.wraps(handler) or pass event_type= to serve()"
    ]


def test_result_values_awslambdaric_cannot_encode(serve) -> None:
    api = serve("fns.values")
    # Decimals are numbers, digits kept exactly, as awslambdaric writes them.
    decimal = api.invoke({"kind": "decimal"})
    assert decimal.body == b'{"price":19.90,"qty":3,"big":12345678901234567890.5}'
    assert api.invoke({"kind": "datetime"}).json() == {
        "aware": "2024-05-06T07:08:09.123000Z",
        "naive": "2024-05-06T07:08:09",
        "date": "2024-05-06",
    }
    sets = api.invoke({"kind": "set"}).json()
    assert sorted(sets["set"]) == [1, 2, 3] and sets["frozen"] == ["a"]
    assert api.invoke({"kind": "uuid"}).json() == {"id": "12345678-1234-5678-1234-567812345678"}
    for value in ("NaN", "Infinity"):
        error = api.invoke({"kind": "nan", "value": value}).json()
        assert error["errorType"] == "Runtime.MarshalError"
        assert error["errorMessage"] == (
            "Unable to marshal response: NaN and infinite Decimals have no JSON form; "
            "return None or a string instead"
        )
    # The words alone, inside strings, are fine.
    assert api.invoke({"kind": "words"}).json() == ["NaN", "Infinity", -0.0]


def test_event_content_type_other_than_json(serve) -> None:
    def content(value: str | None) -> dict[str, str | None]:
        return {"Content-Type": value}

    api = serve("fns.untyped")
    # awslambdaric passes a non-JSON payload through as bytes (here base64 in the JSON result).
    text = api.invoke(b"plain words", headers=content("text/plain")).json()
    assert text == {"echo": "cGxhaW4gd29yZHM=", "type": "bytes"}
    # JSON with parameters, or no Content-Type at all, is still decoded as JSON.
    for value in ("application/json; charset=utf-8", "Application/JSON", None):
        assert api.invoke(b'{"a":1}', headers=content(value)).json() == {
            "echo": {"a": 1},
            "type": "dict",
        }, value
    with IndependentApi() as raw:
        raw.start_runtime("fns.raw", env={"LAMBDA_TASK_ROOT": str(HANDLERS)})
        assert raw.invoke(b"<x/>", headers=content("application/xml")).body == b"raw:<x/>"
    with IndependentApi() as typed:
        typed.start_runtime("fns.typed", env={"LAMBDA_TASK_ROOT": str(HANDLERS)})
        error = typed.invoke(b"a,b", headers=content("text/csv")).json()
        assert error["errorType"] == "Runtime.UnmarshalError"
        assert error["errorMessage"] == (
            "Unable to unmarshal input: the event's Content-Type is 'text/csv', not "
            "application/json; annotate the event parameter as bytes to receive the raw payload"
        )
        batch = b'{"items": [{"name": "a", "count": 1}]}'
        out = typed.invoke(batch, headers=content("application/json;charset=UTF-8"))
        assert out.json() == {"total": 1, "names": ["a"]}


def test_serve_takes_no_result_type() -> None:
    import inspect

    from native_lambda import serve

    # Results are encoded from their value; a result_type would be accepted and ignored.
    assert list(inspect.signature(serve).parameters) == ["handler", "event_type", "on_shutdown"]
