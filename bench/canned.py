"""A canned, instant HTTP/1.1 server for the per-call overhead benchmark.

It answers from a JSON file of fixed bodies (``{"job": ..., "connections": ..., ...}``) with no
parsing beyond the request line and Content-Length, so nearly all the time measured is the
client's. Run as ``python bench/canned.py FIXTURES.json``; prints its port, serves until killed.
"""

from __future__ import annotations

import json
import socket
import sys
import threading


def _answer(body: object) -> bytes:
    raw = json.dumps(body, separators=(",", ":")).encode()
    head = (
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        f"content-length: {len(raw)}\r\nx-request-id: req_canned\r\n\r\n"
    )
    return head.encode() + raw


def _route(routes: dict[str, bytes], target: bytes) -> bytes:
    path = target.split(b"?", 1)[0]
    if b"/jobs/" in path:
        return routes["job"]
    if path.endswith(b"/picker-token"):
        return routes["session"]
    if path.endswith(b"/picker-proxy"):
        return routes["page"]
    if path.endswith(b"/connections"):
        return routes["connections"]
    return b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"


def _serve_connection(conn: socket.socket, routes: dict[str, bytes]) -> None:
    buf = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            target = lines[0].split(b" ")[1]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buf) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            buf = buf[length:]
            conn.sendall(_route(routes, target))


def main() -> None:
    with open(sys.argv[1]) as fh:
        bodies = json.load(fh)
    routes = {name: _answer(body) for name, body in bodies.items()}
    server = socket.create_server(("127.0.0.1", 0))
    print(server.getsockname()[1], flush=True)
    while True:
        conn, _ = server.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_serve_connection, args=(conn, routes), daemon=True).start()


if __name__ == "__main__":
    main()
