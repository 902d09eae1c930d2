"""The smallest useful runtime: raw keep-alive socket, echoes each event back.

Used to measure the emulator's own overhead per invoke round trip (next → response),
keeping the runtime's cost as low as Python allows.
"""

import os
import socket


def main() -> None:
    host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    next_request = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
    buf = b""

    def read_response() -> tuple[bytes, bytes]:
        nonlocal buf
        while b"\r\n\r\n" not in buf:
            data = sock.recv(65536)
            if not data:
                raise SystemExit(0)  # the emulator went away
            buf += data
        head, _, buf = buf.partition(b"\r\n\r\n")
        length = 0
        request_id = b""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"lambda-runtime-aws-request-id":
                request_id = value.strip()
        while len(buf) < length:
            buf += sock.recv(65536)
        body, buf = buf[:length], buf[length:]
        return request_id, body

    while True:
        sock.sendall(next_request)
        request_id, body = read_response()
        sock.sendall(
            b"POST /2018-06-01/runtime/invocation/" + request_id + b"/response HTTP/1.1\r\n"
            b"Host: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        read_response()


if __name__ == "__main__":
    main()
