"""The preview under load: 100 open reload streams, bounded HTTP load, hundreds of rebuilds.

`python -m generator serve` runs as a real process on a free loopback port. While
a content file changes again and again (each change waited for until its build is
reported), 100 Server-Sent-Events connections stay open and a fixed number of
HTTP requests run against the site. No 5xx, no truncated body, every stream still
open and told about the rebuilds, and the server's memory stays flat.

Figures go to stdout (`pytest -s`) and, when KENNISBANK_LOAD_REPORT names a file,
into it as JSON.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.sitekit import PROJECT, write_site

# The issue asks for memory that stays flat over 500 rebuilds (measured: RSS flat
# after ~150); KENNISBANK_LOAD_REBUILDS lowers it for a quick local run.
REBUILDS = int(os.environ.get("KENNISBANK_LOAD_REBUILDS", "500"))
STREAMS = 100
REQUESTS = 2000
CLIENTS = 8
WARMUP = 30  # rebuilds before the first memory reading (caches, imports, thread pools)
# Warm-up growth seen: ~3 MB; a leak of 20 KB per rebuild exceeds this bound.
RSS_BASE_KB, RSS_PER_REBUILD_KB = 5_000, 20

SITE = """
-- content/auteurs/redactie.md --
---
title: Redactie
---
Wij schrijven.
-- content/artikelen/goed.md --
---
title: Goed
date: 2019-05-01
author: redactie
tags: [wonen]
---
Versie 0.
-- content/evenementen/dag.md --
---
title: Dag
start: 2030-10-03 13:30
---
Een bijeenkomst.
"""
PATHS = [
    "/",
    "/artikelen/goed/",
    "/artikelen/",
    "/tags/wonen/",
    "/evenementen/",
    "/feed.xml",
    "/sitemap.xml",
    "/css/site.css",
    "/bestaat-niet/",
]


class Server:
    """The serve process, with its stdout read in a thread to count builds."""

    def __init__(self, site: Path):
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "serve",
                "--source",
                str(site),
                "--port",
                "0",
                "--now",
                "2024-06-01T12:00",
            ],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.builds = 0
        self.port = 0
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self.changed:
                if match := re.match(r"build (\d+):", line):
                    self.builds = max(self.builds, int(match.group(1)))
                elif match := re.search(r"http://127\.0\.0\.1:(\d+)/", line):
                    self.port = int(match.group(1))
                self.changed.notify_all()

    def wait(self, predicate, seconds: float, what: str) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout=seconds), what

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))

    def status(self) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", "/__kb/status")
        return json.loads(connection.getresponse().read())


class Streams:
    """STREAMS open SSE connections, drained in one thread, counting reload events."""

    def __init__(self, port: int):
        self.selector = selectors.DefaultSelector()
        self.events: dict[int, int] = {}
        self.closed = 0
        self.stop = False
        for _ in range(STREAMS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(
                b"GET /__kb/events?path=/artikelen/goed/ HTTP/1.1\r\nHost: x\r\n"
                b"Accept: text/event-stream\r\n\r\n"
            )
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
            self.events[sock.fileno()] = 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while not self.stop:
            for key, _ in self.selector.select(timeout=0.1):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.closed += 1
                    self.selector.unregister(key.fileobj)
                    continue
                self.events[key.fd] += data.count(b"\ndata:") + data.startswith(b"data:")

    def close(self) -> None:
        self.stop = True
        self.thread.join(timeout=5)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()


def _load(port: int, count: int, results: list) -> None:
    """`count` GETs, each on its own connection; (status, complete, seconds, end) each."""
    for i in range(count):
        path = PATHS[i % len(PATHS)]
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            length = int(response.getheader("Content-Length", "-1"))
            ended = time.perf_counter()
            results.append((response.status, len(body) == length, ended - started, ended))
        except (http.client.HTTPException, OSError) as error:
            ended = time.perf_counter()
            results.append((599, False, ended - started, ended, repr(error)))
        finally:
            connection.close()


def _edit(site: Path, number: int) -> None:
    page = site / "content/artikelen/goed.md"
    text = page.read_text(encoding="utf-8")
    if number % 50 == 25:  # now and then a broken save: the last good site stays served
        page.write_text(text.replace("title: Goed", "title: [Goed"), encoding="utf-8")
    else:
        text = re.sub(
            r"Versie \d+\.", f"Versie {number}.", text.replace("title: [Goed", "title: Goed")
        )
        page.write_text(text, encoding="utf-8")


def test_preview_under_load_stays_correct_and_flat(tmp_path):
    site = write_site(tmp_path, SITE)
    server = Server(site)
    streams = None
    try:
        server.wait(lambda: server.port and server.builds >= 1, 60, "preview did not start")
        streams = Streams(server.port)
        deadline = time.monotonic() + 30
        while server.status()["listeners"] < STREAMS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.status()["listeners"] >= STREAMS

        def rebuild(number: int) -> None:
            target = server.builds + 1
            _edit(site, number)
            server.wait(lambda: server.builds >= target, 30, f"edit {number} was never built")

        for number in range(1, WARMUP + 1):
            rebuild(number)
        rss_before = server.rss_kb()
        results: list = []
        clients = [
            threading.Thread(target=_load, args=(server.port, REQUESTS // CLIENTS, results))
            for _ in range(CLIENTS)
        ]
        started = time.perf_counter()
        for client in clients:
            client.start()
        rss_samples = [rss_before]
        for number in range(WARMUP + 1, REBUILDS + 1):
            rebuild(number)
            if number % 50 == 0:
                rss_samples.append(server.rss_kb())
        for client in clients:
            client.join(timeout=300)
        load_seconds = max(r[3] for r in results) - started  # when the last request ended
        elapsed = time.perf_counter() - started
        rss_after = server.rss_kb()
        listeners = server.status()["listeners"]
    finally:
        if streams is not None:
            streams.close()
        server.proc.terminate()
        server.proc.wait(timeout=10)

    failures = [r for r in results if r[0] >= 500 or not r[1]]
    figures = {
        "rebuilds": server.builds,
        "requests": len(results),
        "requests_per_second": round(len(results) / load_seconds, 1),
        "median_latency_ms": round(sorted(r[2] for r in results)[len(results) // 2] * 1000, 1),
        "worst_latency_ms": round(max(r[2] for r in results) * 1000, 1),
        "rss_before_kb": rss_before,
        "rss_after_kb": rss_after,
        "rss_every_50_rebuilds_kb": rss_samples,
        "streams_open": listeners,
        "reload_events_min": min(streams.events.values()),
        "seconds": round(elapsed, 1),
    }
    print("\npreview load:", json.dumps(figures))
    if os.environ.get("KENNISBANK_LOAD_REPORT"):
        Path(os.environ["KENNISBANK_LOAD_REPORT"]).write_text(json.dumps(figures, indent=2))
    assert len(results) == REQUESTS
    assert failures == [], failures[:5]
    assert listeners >= STREAMS and streams.closed == 0
    assert figures["reload_events_min"] >= 1  # every open page heard about the rebuilds
    assert server.builds >= REBUILDS
    assert rss_after - rss_before < RSS_BASE_KB + RSS_PER_REBUILD_KB * (REBUILDS - WARMUP), figures
