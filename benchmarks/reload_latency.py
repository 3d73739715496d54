#!/usr/bin/env python3
"""Edit-to-reload latency of `python -m generator serve`, beside `hugo server`.

    python benchmarks/reload_latency.py [--articles 1000] [--large] [--rounds 10] [--no-hugo]

Makes the corpus with benchmarks/make_corpus.py (in benchmarks/corpora/, git-ignored)
with its site.yaml and the project's templates/ and static/, starts our preview
server, and per round:
  body:  appends a marker paragraph to one of the newest articles and times until
         the article's open page is told to reload over Server-Sent Events;
  title: puts a marker in its title and times until the home page is told to reload.
After each reload the page is fetched and must show the marker (else it counts as
missed). Reports median and worst. Where `hugo` is installed, runs
/work/shared/bench/watch_latency.py on `hugo server --renderToDisk` for the same
corpus (Hugo is measured on disk: it has no such event stream to subscribe to).
Not run by the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
SHARED = Path("/work/shared/bench")
TIMEOUT = 120.0  # seconds one edit may take before it counts as missed


def make_corpus(articles: int) -> Path:
    corpus = HERE / "corpora" / f"reload-{articles}"
    if not (corpus / "site.yaml").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "make_corpus.py"),
                str(corpus),
                "--articles",
                str(articles),
            ],
            check=True,
        )
        shutil.copyfile(HERE / "corpus_site.yaml", corpus / "site.yaml")
    for name in ("templates", "static"):
        if not (corpus / name).exists():
            (corpus / name).symlink_to(PROJECT / name, target_is_directory=True)
    return corpus


def newest_slugs(folder: Path, count: int) -> list[str]:
    dated = []
    for path in folder.glob("*.md"):
        found = re.search(r"^date:\s*(\S+)", path.read_text(encoding="utf-8"), re.M | re.I)
        if found:
            dated.append((found.group(1), path.stem))
    return [slug for _, slug in sorted(dated, reverse=True)[:count]]


def fetch(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode("utf-8", "replace")
    finally:
        connection.close()


class Stream:
    """An open page's event stream: `wait('reload')` returns when the server says so."""

    def __init__(self, port: int, path: str, since: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        query = f"v={since}&path={path}&status=200"
        self.sock.sendall(f"GET /__kb/events?{query} HTTP/1.0\r\n\r\n".encode())
        self.events: list[tuple[str, float]] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.sock.makefile("rb"):
                line = raw.decode().strip()
                if line.startswith("event: "):
                    with self.cond:
                        self.events.append((line[7:], time.perf_counter()))
                        self.cond.notify_all()
        except OSError:
            pass

    def wait(self, name: str, timeout: float) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: any(e == name for e, _ in self.events), timeout)
            return next((t for e, t in self.events if e == name), None)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


def start_serve(corpus: Path) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--source", str(corpus), "--port", "0"],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    started = time.perf_counter()
    for line in process.stdout:  # type: ignore[union-attr]
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            print(f"  serve ready after {time.perf_counter() - started:.1f} s", flush=True)
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, int(found.group(1))
    raise SystemExit("serve ended before it was ready")


def timed_edit(port: int, page: str, source: Path, text: str, marker: str) -> float | None:
    """Write `text` to `source`; seconds until `page` is told to reload and shows `marker`."""
    version = json.loads(fetch(port, "/__kb/status"))["version"]
    stream = Stream(port, page, version)
    try:
        if stream.wait("problems", TIMEOUT) is None:  # sent once the subscription stands
            return None
        started = time.perf_counter()
        source.write_text(text, encoding="utf-8")
        arrived = stream.wait("reload", TIMEOUT)
        if arrived is None or marker not in fetch(port, page):
            return None
        return arrived - started
    finally:
        stream.close()


def _progress(port: int, kind: str, number: int, seconds: float | None) -> None:
    shown = "missed" if seconds is None else f"{seconds * 1000:.0f} ms"
    build = json.loads(fetch(port, "/__kb/status"))["last_build_seconds"]
    print(
        f"  round {number + 1} {kind}: {shown} (of which build {build * 1000:.0f} ms)", flush=True
    )


def measure_ours(corpus: Path, rounds: int) -> dict[str, list[float | None]]:
    process, port = start_serve(corpus)
    folder = corpus / "content" / "articles"
    originals: dict[Path, str] = {}
    results: dict[str, list[float | None]] = {"body": [], "title": []}
    try:
        for number, slug in enumerate(newest_slugs(folder, rounds)):
            source = folder / f"{slug}.md"
            text = originals.setdefault(source, source.read_text(encoding="utf-8"))
            marker = f"zzbody{number}x{os.getpid()}"
            body = text + f"\n\n{marker}\n"
            results["body"].append(timed_edit(port, f"/articles/{slug}/", source, body, marker))
            _progress(port, "body", number, results["body"][-1])
            time.sleep(0.3)
            marker = f"zztitle{number}x{os.getpid()}"
            titled = re.sub(r"^(title:\s*\"?)", rf"\g<1>{marker} ", body, count=1, flags=re.M)
            results["title"].append(timed_edit(port, "/", source, titled, marker))
            _progress(port, "title", number, results["title"][-1])
            time.sleep(0.3)
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    return results


def report(name: str, results: dict[str, list[float | None]]) -> None:
    for kind, values in results.items():
        done = [v * 1000 for v in values if v is not None]
        missed = len(values) - len(done)
        if done:
            print(
                f"{name} {kind}: median {statistics.median(done):.0f} ms, "
                f"worst {max(done):.0f} ms, n={len(done)}, missed {missed}",
                flush=True,
            )
        else:
            print(f"{name} {kind}: all {missed} missed", flush=True)


def measure_hugo(corpus: Path, articles: int, rounds: int) -> None:
    if not shutil.which("hugo"):
        print("hugo is not installed: no comparison")
        return
    work = HERE / "work" / f"hugo-{articles}"
    subprocess.run(
        ["bash", str(SHARED / "peers/hugo/prepare.sh"), str(corpus), str(work)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        str(SHARED / "watch_latency.py"),
        "--cwd",
        str(work),
        "--cmd",
        f"hugo server --renderToDisk --bind 127.0.0.1 --port {port}",
        "--src",
        "content/articles/{slug}.md",
        "--out",
        "public/articles/{slug}/index.html",
        "--home",
        "public/index.html",
        "--tags-glob",
        "public/tags/*/index.html",
        "--rounds",
        str(rounds),
    ]
    print("hugo server (watch_latency.py, on disk):", flush=True)
    subprocess.run(command, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--large", action="store_true", help="also 10,000 articles")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-hugo", action="store_true")
    args = parser.parse_args()
    sizes = [args.articles] + ([10_000] if args.large else [])
    for articles in sizes:
        corpus = make_corpus(articles)
        print(f"== {articles} articles ({corpus})", flush=True)
        report(f"ours {articles}", measure_ours(corpus, args.rounds))
        if not args.no_hugo:
            measure_hugo(corpus, articles, args.rounds)


if __name__ == "__main__":
    main()
