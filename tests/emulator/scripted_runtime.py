"""A tiny Lambda runtime for the emulator's tests, on raw ``http.client`` (no native_lambda).

Each event is a JSON object that tells the runtime what to do, so one script covers every
behaviour under test:

    {"action": "echo"}                    answer with the event and the invocation headers
    {"action": "print", "text": "..."}    print text, then answer {"printed": true}
    {"action": "sleep", "seconds": 2}     sleep, then answer
    {"action": "error"}                   post /error (errorType "Function.TestError")
    {"action": "big", "size": N}          post a response body of N bytes; on 413 post /error
    {"action": "exit", "code": 3}         exit without answering
    {"action": "bogus_id"}                post a response for an unknown request id first

Init behaviour comes from the environment:

    SCRIPTED_INIT=error         post /init/error and exit 1
    SCRIPTED_INIT=error_once:F  like error, but only while file F does not exist yet
    SCRIPTED_INIT=exit          exit 2 during init
    SCRIPTED_INIT=sleep:S       sleep S seconds before the first /next
    SCRIPTED_EXTENSION=1        register an internal extension, poll its /next from a
                                thread, and on SIGTERM print "SIGTERM received" and exit 0
    SCRIPTED_EXTENSION=ignore-term   the same, but ignore SIGTERM
    SCRIPTED_EXTENSION_DELAY=S  the extension's first /next comes S seconds late
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sys
import threading
import time

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, PORT = API.rsplit(":", 1)
BASE = "/2018-06-01/runtime"


def connect() -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, int(PORT))


def call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
):
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    return resp.status, dict(resp.getheaders()), resp.read()


def start_extension() -> None:
    conn = connect()
    status, headers, body = call(
        conn,
        "POST",
        "/2020-01-01/extension/register",
        json.dumps({"events": ["INVOKE"]}).encode(),
        {"Lambda-Extension-Name": "scripted-internal"},
    )
    assert status == 200, (status, body)
    ext_id = headers["Lambda-Extension-Identifier"]
    print(f"extension registered {ext_id} {body.decode()}", flush=True)

    def on_term(signum, frame):
        print("SIGTERM received", flush=True)
        os._exit(0)

    if os.environ["SCRIPTED_EXTENSION"] == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, on_term)

    def poll() -> None:
        delay = float(os.environ.get("SCRIPTED_EXTENSION_DELAY", "0"))
        time.sleep(delay)
        ext_conn = connect()
        while True:
            _, _, body = call(
                ext_conn,
                "GET",
                "/2020-01-01/extension/event/next",
                None,
                {"Lambda-Extension-Identifier": ext_id},
            )
            event = json.loads(body)
            print(f"extension event {event['eventType']} {event.get('requestId', '')}", flush=True)

    threading.Thread(target=poll, daemon=True).start()


def main() -> None:
    init = os.environ.get("SCRIPTED_INIT", "")
    conn = connect()
    print(f"init pid={os.getpid()}", flush=True)
    if os.environ.get("SCRIPTED_EXTENSION"):
        start_extension()
    if init.startswith("error_once:"):  # fail the first init only (a marker file remembers)
        marker = init.split(":", 1)[1]
        if not os.path.exists(marker):
            open(marker, "w").close()
            init = "error"
    if init == "error":
        body = json.dumps(
            {
                "errorMessage": "init went wrong",
                "errorType": "Runtime.TestInitError",
                "stackTrace": [],
            }
        )
        status, _, _ = call(
            conn,
            "POST",
            f"{BASE}/init/error",
            body.encode(),
            {"Lambda-Runtime-Function-Error-Type": "Runtime.TestInitError"},
        )
        print(f"init error posted {status}", flush=True)
        sys.exit(1)
    if init == "exit":
        print("exiting during init", flush=True)
        sys.exit(2)
    if init.startswith("sleep:"):
        time.sleep(float(init.split(":", 1)[1]))
    while True:
        status, headers, body = call(conn, "GET", f"{BASE}/invocation/next")
        if status != 200:
            print(f"next failed {status} {body!r}", flush=True)
            sys.exit(5)
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(body) if body else {}
        action = event.get("action", "echo")
        if action == "echo":
            answer = {
                "event": event,
                "headers": {k: v for k, v in headers.items() if k.startswith("Lambda-Runtime-")},
            }
            call(
                conn,
                "POST",
                f"{BASE}/invocation/{request_id}/response",
                json.dumps(answer).encode(),
            )
        elif action == "raw":
            call(conn, "POST", f"{BASE}/invocation/{request_id}/response", body)
        elif action == "print":
            print(event.get("text", ""), flush=True)
            call(conn, "POST", f"{BASE}/invocation/{request_id}/response", b'{"printed": true}')
        elif action == "sleep":
            time.sleep(float(event.get("seconds", 1)))
            call(
                conn,
                "POST",
                f"{BASE}/invocation/{request_id}/response",
                json.dumps({"slept": event.get("seconds")}).encode(),
            )
        elif action == "error":
            err = {"errorMessage": "it failed", "errorType": "TestError", "stackTrace": ["line 1"]}
            call(
                conn,
                "POST",
                f"{BASE}/invocation/{request_id}/error",
                json.dumps(err).encode(),
                {"Lambda-Runtime-Function-Error-Type": "Function.TestError"},
            )
        elif action == "big":
            size = int(event["size"])
            status, _, reply = call(
                conn, "POST", f"{BASE}/invocation/{request_id}/response", b"x" * size
            )
            print(f"big response status {status} {reply.decode()}", flush=True)
            if status == 413:
                err = {
                    "errorMessage": "response too large",
                    "errorType": "Runtime.ResponseTooLarge",
                }
                status, _, reply = call(
                    conn, "POST", f"{BASE}/invocation/{request_id}/error", json.dumps(err).encode()
                )
                print(f"error after 413 status {status} {reply.decode()}", flush=True)
        elif action == "exit":
            print("exiting mid-invocation", flush=True)
            sys.exit(int(event.get("code", 3)))
        elif action == "bogus_id":
            status, _, reply = call(
                conn, "POST", f"{BASE}/invocation/not-a-real-id/response", b"{}"
            )
            err_status, _, err_reply = call(
                conn, "POST", f"{BASE}/invocation/not-a-real-id/error", b"{}"
            )
            answer = {
                "status": status,
                "reply": json.loads(reply),
                "error_status": err_status,
                "error_reply": json.loads(err_reply),
            }
            call(
                conn,
                "POST",
                f"{BASE}/invocation/{request_id}/response",
                json.dumps(answer).encode(),
            )
        elif action == "twice":
            call(conn, "POST", f"{BASE}/invocation/{request_id}/response", b'{"first": true}')
            status, _, reply = call(
                conn, "POST", f"{BASE}/invocation/{request_id}/response", b'{"second": true}'
            )
            print(f"second response status {status} {reply.decode()}", flush=True)
        else:
            raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main()
