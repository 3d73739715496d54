"""A running `python -m generator serve` for tests, and helpers that wait with deadlines."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.sitekit import PROJECT

NOW = "2024-06-01T12:00"


def wait_until(condition: Callable[[], object], timeout: float = 15.0, what: str = "") -> object:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


def get(port: int, path: str, timeout: float = 15.0) -> tuple[int, str]:
    """GET a raw path (sent exactly as given) from 127.0.0.1:port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


class Events:
    """A Server-Sent Events subscription read on a thread: (event, data) pairs as they come."""

    def __init__(self, port: int, path: str = "/", since: str = "", status: int = 200):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        target = f"/__kb/events?v={since}&path={path}&status={status}"
        self.sock.sendall(f"GET {target} HTTP/1.0\r\nHost: test\r\n\r\n".encode())
        self.received: list[tuple[str, str, float]] = []  # (event, data, monotonic time)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event = ""
        try:
            for raw in self.sock.makefile("rb"):
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: "):
                    self.received.append((event, line[len("data: ") :], time.monotonic()))
        except (OSError, ValueError):
            pass

    def names(self) -> list[str]:
        return [name for name, _, _ in self.received]

    def wait_for(self, name: str, after: int = 0, timeout: float = 15.0) -> tuple[str, float]:
        """The data and arrival time of the first `name` event at index >= after."""

        def found():
            for event, data, when in self.received[after:]:
                if event == name:
                    return data, when
            return None

        return wait_until(found, timeout, f"event {name!r}")  # type: ignore[return-value]

    def close(self) -> None:
        """The page goes away: the connection is really closed, not only forgotten."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class Served:
    """`python -m generator serve` on a free port for a site in a temporary folder."""

    def __init__(self, root: Path, *flags: str):
        self.root = root
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--source", str(root), "--port", "0"]
            + ["--now", NOW, *flags],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._pumps = [
            threading.Thread(target=self._pump, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err))
        ]
        for pump in self._pumps:
            pump.start()
        found = wait_until(self._address, 30, "the server's address")
        self.host, self.port = found  # type: ignore[misc]
        self.url = f"http://{self.host}:{self.port}"

    @staticmethod
    def _pump(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    def _address(self):
        if self.process.poll() is not None:
            raise AssertionError(f"serve ended early: {''.join(self.out + self.err)}")
        for line in self.out:
            match = re.search(r"http://([\d.]+):(\d+)/", line)
            if match:
                return match.group(1), int(match.group(2))
        return None

    def status(self) -> dict:
        return json.loads(get(self.port, "/__kb/status")[1])

    def builds(self) -> int:
        return self.status()["builds"]

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def stop(self) -> int:
        """Ctrl-C; the exit code (the tests expect 0 and no traceback)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Where every thread is (serve dumps them on SIGUSR1), for the report.
            self.process.send_signal(signal.SIGUSR1)
            with contextlib.suppress(AssertionError):
                wait_until(
                    lambda: any("most recent call first" in line for line in self.err),
                    5,
                    "the threads' stacks",
                )
            self.process.kill()
            self.process.wait()
            for pump in self._pumps:  # the streams end with the process: its last lines
                pump.join(timeout=5)
            raise AssertionError(
                "serve did not stop within 15 s of Ctrl-C; it said:\n" + self.log()[-6000:]
            ) from None

    def log(self) -> str:
        return "".join(self.out) + "".join(self.err)
