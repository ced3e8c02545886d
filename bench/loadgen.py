"""A small HTTP/1.1 load driver on raw asyncio sockets (uvloop when installed).

Why not httpx: it tops out near 540 req/s on this machine and would measure itself. This driver
keeps connections alive when the server allows it and reconnects when the server closes them
(gunicorn's sync workers answer `Connection: close`). Every run is bounded in time and count.

    python bench/loadgen.py --port 8000 --path /ping -c 10 -d 5        # JSON on stdout
    python bench/loadgen.py --ceiling                                   # the driver's own limit

As a module: `run(host, port, clients, duration, max_requests)` where `clients` is a list with
one request source per connection: a list of raw requests (bytes) cycled over, or an iterator
that ends (then that client stops).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

try:  # optional: ~2× the request rate of the default loop
    import uvloop
except ImportError:  # pragma: no cover - depends on the machine
    uvloop = None

LOOP = "uvloop" if uvloop else "asyncio"


@dataclass
class Result:
    requests: int = 0
    errors: int = 0  # connection failures, timeouts, malformed responses
    statuses: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    connections: int = 0
    body_bytes: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies) or [0.0]
        return {
            "requests": self.requests,
            "errors": self.errors,
            "statuses": dict(self.statuses),
            "elapsed_s": round(self.elapsed, 3),
            "req_per_s": round(self.rate, 1),
            "latency_ms_p50": round(1000 * lat[len(lat) // 2], 2),
            "latency_ms_p99": round(1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))], 2),
            "latency_ms_mean": round(1000 * statistics.fmean(lat), 2),
            "connections": self.connections,
            "mean_body_bytes": round(self.body_bytes / self.requests) if self.requests else 0,
            "loop": LOOP,
        }


def get(path: str, host: str = "127.0.0.1", cookie: str | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "User-Agent: tdkt-bench"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(path: str, body: bytes, host: str = "127.0.0.1", cookie: str | None = None) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "User-Agent: tdkt-bench",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """(status, body length, server keeps the connection) — reads the whole body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, keep, chunked = None, not lines[0].startswith(b"HTTP/1.0"), False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            keep = value.strip().lower() != b"close"
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        size = 0
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(chunk + 2)
            size += chunk
            if chunk == 0:
                return status, size, keep
    if length is None:  # body until close
        body = await reader.read()
        return status, len(body), False
    await reader.readexactly(length)
    return status, length, keep


async def _client(host, port, source, result: Result, stop_at: float, budget: list[int]):
    reader = writer = None
    try:
        for request in source:
            if time.perf_counter() >= stop_at or budget[0] <= 0:
                break
            budget[0] -= 1
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                    result.connections += 1
                writer.write(request)
                status, size, keep = await asyncio.wait_for(
                    _read_response(reader), max(0.1, stop_at + 30 - started)
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                result.errors += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                await asyncio.sleep(0.01)
                continue
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1
            result.statuses[status] += 1
            result.body_bytes += size
            if not keep:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _run(host, port, clients, duration, max_requests) -> Result:
    result = Result()
    budget = [max_requests]
    started = time.perf_counter()
    stop_at = started + duration
    sources = [itertools.cycle(c) if isinstance(c, list) else iter(c) for c in clients]
    await asyncio.gather(*(_client(host, port, s, result, stop_at, budget) for s in sources))
    result.elapsed = time.perf_counter() - started
    return result


def run(host: str, port: int, clients: list, duration: float, max_requests: int) -> Result:
    """Drive `len(clients)` concurrent connections for at most `duration` s / `max_requests`."""
    if uvloop:
        return uvloop.run(_run(host, port, clients, duration, max_requests))
    return asyncio.run(_run(host, port, clients, duration, max_requests))


# --- a do-nothing server, to measure the driver's own ceiling ---------------------------------

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n%s\r\nok"


async def _serve(port: int, close: bool) -> None:
    response = RESPONSE % (b"Connection: close\r\n" if close else b"")

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                writer.write(response)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await asyncio.sleep(600)  # bounded: the caller kills it long before


def wait_port(port: int, timeout: float = 20.0) -> None:
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def ceiling(port: int = 18999, duration: float = 4.0, concurrency: int = 10) -> dict:
    """The driver against a trivial server in another process, keep-alive and close modes."""
    figures = {}
    for mode in ("keepalive", "close"):
        args = [sys.executable, __file__, "--serve-trivial", str(port)]
        server = subprocess.Popen(args + (["--close"] if mode == "close" else []))
        try:
            wait_port(port)
            clients = [[get("/")] for _ in range(concurrency)]
            figures[mode] = run("127.0.0.1", port, clients, duration, 10**7).summary()
        finally:
            server.terminate()
            server.wait(10)
        port += 1
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--path", default="/")
    parser.add_argument("--cookie")
    parser.add_argument("-c", "--concurrency", type=int, default=10)
    parser.add_argument("-d", "--duration", type=float, default=5.0)
    parser.add_argument("-n", "--max-requests", type=int, default=1_000_000)
    parser.add_argument("--ceiling", action="store_true")
    parser.add_argument("--serve-trivial", type=int, metavar="PORT")
    parser.add_argument("--close", action="store_true")
    args = parser.parse_args()
    if args.host not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("loopback only")
    if args.serve_trivial:
        if uvloop:
            uvloop.run(_serve(args.serve_trivial, args.close))
        else:
            asyncio.run(_serve(args.serve_trivial, args.close))
        return
    if args.ceiling:
        print(json.dumps(ceiling(concurrency=args.concurrency), indent=2))
        return
    clients = [[get(args.path, cookie=args.cookie)] for _ in range(args.concurrency)]
    result = run(args.host, args.port, clients, args.duration, args.max_requests)
    print(json.dumps(result.summary(), indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
