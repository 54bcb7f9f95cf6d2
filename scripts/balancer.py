"""A small health-checking HTTP load balancer for the rehearsal (scripts/rehearse.py).

It does what the README asks of a production balancer in front of several web hosts:

- round robin over the hosts that pass their health check (GET /healthz every --interval
  seconds; --fall failures in a row, 3, take a host out, one success puts it back; if none
  passes, it tries them all rather than refuse everyone);
- a refused connection is retried on the next host (nothing was sent, so it is safe even for a
  POST); a request that was sent and then failed is answered 502, never retried;
- it appends the peer's address to X-Forwarded-For and passes X-Request-ID (or makes one);
- it answers 503 with Retry-After when no host accepts the connection.

It adds `X-Upstream: <host name>` to each response and counts, per host, the requests, the 5xx
answers, the refused connections and the 502s, at GET /__balancer__/stats (JSON).

Standard library only; threads, one upstream connection per request. Not for production.

    python scripts/balancer.py --listen 127.0.0.1:18660 --backend web-1=127.0.0.1:18661 --backend web-2=127.0.0.1:18662
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class Backend:
    def __init__(self, name: str, address: str):
        self.name = name
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.up = False
        self.failures = 0
        self.stats = {"requests": 0, "status_5xx": 0, "refused": 0, "failed_502": 0, "marked_down": 0}
        self.lock = threading.Lock()

    def count(self, key: str) -> None:
        with self.lock:
            self.stats[key] += 1


class Balancer:
    def __init__(
        self,
        backends: list[Backend],
        *,
        health_path: str,
        interval: float,
        timeout: float,
        check_timeout: float,
        fall: int,
    ):
        self.backends = backends
        self.health_path, self.interval, self.timeout = health_path, interval, timeout
        self.check_timeout, self.fall = check_timeout, fall
        self._next = itertools.count()

    def healthy(self) -> list[Backend]:
        return [b for b in self.backends if b.up]

    def order(self) -> list[Backend]:
        """The healthy hosts, starting from the next in the round robin. If none passes its
        health check, all of them (failing open, as cloud balancers do): a host that is only slow
        to answer its check under load may still serve, and one that is down refuses at once."""
        up = self.healthy() or self.backends
        start = next(self._next) % len(up)
        return up[start:] + up[:start]

    def check_forever(self) -> None:
        while True:
            for backend in self.backends:
                ok = False
                try:
                    conn = http.client.HTTPConnection(backend.host, backend.port, timeout=self.check_timeout)
                    conn.request("GET", self.health_path)
                    ok = conn.getresponse().status == 200
                    conn.close()
                except OSError:
                    ok = False
                if ok:
                    backend.failures, backend.up = 0, True
                else:
                    backend.failures += 1
                    if backend.up and backend.failures >= self.fall:
                        backend.up = False
                        backend.count("marked_down")
                        print(f"[balancer] {backend.name} is down", flush=True)
            time.sleep(self.interval)


def make_handler(balancer: Balancer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self, status: int, body: bytes, headers: dict | None = None):
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _proxy(self):
            if self.path == "/__balancer__/stats":
                stats = {b.name: {**b.stats, "up": b.up} for b in balancer.backends}
                self._answer(200, json.dumps(stats).encode(), {"Content-Type": "application/json"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            forwarded = self.headers.get("X-Forwarded-For")
            peer = self.client_address[0]
            headers["X-Forwarded-For"] = f"{forwarded}, {peer}" if forwarded else peer
            headers.setdefault("X-Request-ID", uuid.uuid4().hex)
            for backend in balancer.order():
                conn = http.client.HTTPConnection(backend.host, backend.port, timeout=balancer.timeout)
                try:
                    conn.connect()
                except OSError:
                    # Refused (or unreachable): nothing was sent, so the next host may take it.
                    backend.count("refused")
                    conn.close()
                    continue
                backend.count("requests")
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException):
                    backend.count("failed_502")
                    conn.close()
                    self._answer(502, b"Bad gateway\n", {"X-Upstream": backend.name, "Content-Type": "text/plain"})
                    return
                conn.close()
                if response.status >= 500 and self.path not in ("/readyz", "/healthz"):
                    backend.count("status_5xx")  # a health probe's 503 is an answer, not a failure
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(key, value)
                self.send_header("X-Upstream", backend.name)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self._answer(503, b"No web host is up\n", {"Retry-After": "5", "Content-Type": "text/plain"})

        do_GET = do_POST = do_HEAD = _proxy

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:18660")
    parser.add_argument("--backend", action="append", required=True, help="name=host:port")
    parser.add_argument("--health", default="/healthz")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=40.0, help="seconds to wait for a host's answer")
    parser.add_argument("--check-timeout", type=float, default=5.0, help="seconds to wait for a health check")
    parser.add_argument("--fall", type=int, default=3, help="failed checks in a row that take a host out")
    args = parser.parse_args()
    backends = [Backend(*spec.split("=", 1)) for spec in args.backend]
    balancer = Balancer(
        backends,
        health_path=args.health,
        interval=args.interval,
        timeout=args.timeout,
        check_timeout=args.check_timeout,
        fall=args.fall,
    )
    threading.Thread(target=balancer.check_forever, daemon=True).start()
    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), make_handler(balancer))
    server.daemon_threads = True
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    print(f"[balancer] listening on http://{args.listen}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
