"""A real local HTTP/1.1 server whose answers a test scripts, recording what it received.

Each request is given to ``script(request)``, which returns an action:
``("answer", status, headers, body)``, ``("chunked", status, headers, [chunks])``,
``("drop",)`` (close without answering) or ``("hang", seconds)`` (wait, then close).
``requests`` lists every request as the server saw it: counts are the server's, not the
client's belief.
"""

from __future__ import annotations

import http.server
import threading
import time
from typing import Any, Callable, Dict, Iterator, List, Tuple

Action = Tuple[Any, ...]


class Seen:
    def __init__(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers  # lower-case names
        self.body = body


class ScriptedServer:
    def __init__(self, script: Callable[[Seen], Action]) -> None:
        self.script = script
        self.requests: List[Seen] = []
        self.connections = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                server.requests.append(seen)
                action = server.script(seen)
                kind = action[0]
                if kind == "drop":
                    self.close_connection = True
                    return
                if kind == "hang":
                    time.sleep(action[1])
                    self.close_connection = True
                    return
                status, headers = action[1], action[2]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if kind == "chunked":
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for chunk in action[3]:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    return
                body = action[3]
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def json_answer(status: int, body: bytes, **headers: str) -> Action:
    return ("answer", status, {"Content-Type": "application/x-amz-json-1.0", **headers}, body)


def sequence(actions: List[Action], then: Action) -> Callable[[Seen], Action]:
    """Answer with ``actions`` in order, then ``then`` for every later request."""
    it: Iterator[Action] = iter(actions)

    def script(_: Seen) -> Action:
        return next(it, then)

    return script
