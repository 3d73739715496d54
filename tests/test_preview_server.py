"""The preview server over real sockets, without a browser.

Most tests run the server in-process around a scripted build callable, so a
test decides exactly when a build starts and finishes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.build import BuildResult
from generator.serve import Preview
from tests.previewkit import Events, Served, get, wait_until
from tests.sitekit import write_site

TINY = "-- content/artikelen/a.md --\n---\ntitle: A\n---\nTekst.\n"
PAGE = "<!DOCTYPE html><html><body><h1>{}</h1></body></html>"


class ScriptedBuild:
    """A build callable whose timing the test controls; writes `pages` into the output."""

    def __init__(self, out: Path):
        self.out = out
        self.calls: list[set[str] | None] = []
        self.started = threading.Semaphore(0)
        self.go = threading.Event()
        self.go.set()
        self.finished_at: list[float] = []
        self.pages: dict[str, str] = {}  # output path -> heading, written by the next build
        self.half: dict[str, str] = {}  # written before waiting for `go`, as a slow build would

    def __call__(self, changed: set[str] | None) -> BuildResult:
        self.calls.append(changed)
        self.started.release()
        for rel, text in self.half.items():
            self._write(rel, text)
        assert self.go.wait(20)
        written = set(self.pages) | set(self.half)
        for rel, text in self.pages.items():
            self._write(rel, text)
        self.pages, self.half = {}, {}
        self.finished_at.append(time.monotonic())
        return BuildResult(changed=written)

    def _write(self, rel: str, heading: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(heading), encoding="utf-8")

    def wait_started(self) -> None:
        assert self.started.acquire(timeout=15), "the build did not start"


@pytest.fixture
def preview(tmp_path):
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("geheim: ja\n", encoding="utf-8")
    out = root / ".preview"
    scripted = ScriptedBuild(out)
    scripted.pages = {
        "index.html": "Home",
        "artikelen/a/index.html": "Artikel A",
        "404.html": "Niet hier",
    }
    running = Preview(root, out, "127.0.0.1", 0, lambda port: scripted)
    running.server.keepalive = 0.1  # vanished event listeners are noticed quickly
    running.start(poll=False)
    scripted.wait_started()  # the first, full build
    running.build = scripted  # type: ignore[attr-defined]
    yield running
    running.stop()


TRAVERSALS = [
    "/../site.yaml",
    "/%2e%2e/site.yaml",
    "/%2E%2E/%2e%2e/site.yaml",
    "/..%2fsite.yaml",
    "/artikelen/..%2f..%2fsite.yaml",
    "/artikelen/%2e%2e/%2e%2e/site.yaml",
    "/%5c..%5csite.yaml",
    "/..\\site.yaml",
    "/lek/site.yaml",  # a folder symlink pointing out of the output
    "/lek.yaml",  # a file symlink pointing out
    "/lek/",
    "//etc/passwd",
    "/%00",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_output_folder_is_served(preview, path):
    (preview.out / "lek").symlink_to(preview.root, target_is_directory=True)
    (preview.out / "lek.yaml").symlink_to(preview.root / "site.yaml")
    status, body = get(preview.port, path)
    assert status in (400, 404)
    assert "geheim" not in body
    if status == 404:
        assert "Niet hier" in body  # the site's own 404 page


def test_output_files_and_folders_are_served_with_the_reload_script(preview):
    status, body = get(preview.port, "/artikelen/a/")
    assert status == 200 and "Artikel A" in body and "/__kb/livereload.js" in body
    assert get(preview.port, "/artikelen/a")[0] == 301
    assert "/__kb/" not in (preview.out / "artikelen/a/index.html").read_text()  # never on disk


def test_loopback_only_by_default(tmp_path):
    server = Served(write_site(tmp_path / "site", TINY))
    try:
        assert server.host == "127.0.0.1"
        listening = _listening_addresses(server.port)
        assert listening == {"0100007F"}, listening  # 127.0.0.1, not 0.0.0.0
    finally:
        assert server.stop() == 0


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.add(address)
    return found


def test_clients_that_disconnect_do_not_hurt_the_server(preview, capsys):
    (preview.out / "groot.bin").write_bytes(b"x" * 8_000_000)
    for request in (b"GET /groot.bin HTTP/1.0\r\n\r\n", b"GET /artikelen/a/ HTT", b""):
        client = socket.create_connection(("127.0.0.1", preview.port), timeout=5)
        client.sendall(request)
        client.close()  # before (or while) the answer is written
    events = Events(preview.port, "/artikelen/a/")
    events.wait_for("problems")
    events.close()  # an open page goes away
    wait_until(lambda: preview.hub.listeners == 0, 10, "the listener to be dropped")
    preview.build.pages = {"artikelen/a/index.html": "Nieuw"}
    preview.loop.notify({"content/a.md"})
    wait_until(lambda: get(preview.port, "/artikelen/a/")[1].count("Nieuw"), what="a rebuild")
    assert get(preview.port, "/")[0] == 200
    assert "Traceback" not in capsys.readouterr().err


def test_a_change_during_a_build_causes_exactly_one_more_build(preview):
    build = preview.build
    build.go.clear()
    preview.loop.notify({"content/artikelen/a.md"})
    build.wait_started()  # the first build after the initial one is running
    preview.loop.notify({"content/artikelen/b.md"})
    preview.loop.notify({"content/artikelen/c.md"})
    build.go.set()
    wait_until(lambda: len(build.calls) == 3, what="one more build")
    assert build.calls == [
        None,
        {"content/artikelen/a.md"},
        {"content/artikelen/b.md", "content/artikelen/c.md"},
    ]
    assert preview.loop.gate.wait_ready(10)
    assert preview.loop.builds == 3


def test_a_reload_is_never_sent_before_its_build_finished(preview):
    build = preview.build
    events = Events(preview.port, "/artikelen/a/", since=preview.hub.version)
    events.wait_for("problems")
    build.go.clear()
    build.half = {"artikelen/a/index.html": "Half geschreven"}
    build.pages = {"artikelen/a/index.html": "Helemaal klaar"}
    preview.loop.notify({"content/artikelen/a.md"})
    build.wait_started()
    answer: list[str] = []
    reader = threading.Thread(target=lambda: answer.append(get(preview.port, "/artikelen/a/")[1]))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive(), "a request was answered while the build was running"
    assert "reload" not in events.names()
    build.go.set()
    _, arrived = events.wait_for("reload")
    assert arrived >= build.finished_at[-1]
    reader.join(15)
    assert "Helemaal klaar" in answer[0] and "Half geschreven" not in answer[0]
    events.close()


def test_a_build_that_crashes_shows_an_error_and_the_preview_lives_on(preview, capsys):
    def crash(changed):
        raise RuntimeError("kapot in de motor")

    preview.loop.rebuild = crash
    preview.loop.notify({"content/a.md"})
    wait_until(lambda: preview.hub.problems, what="the crash shown as an error")
    assert "kapot in de motor" in preview.hub.problems[0]["message"]
    assert get(preview.port, "/artikelen/a/")[0] == 200


def test_ctrl_c_ends_serve_cleanly_with_an_open_event_stream(tmp_path):
    server = Served(write_site(tmp_path / "site", TINY))
    events = Events(server.port, "/")
    events.wait_for("problems")
    code = server.stop()
    assert code == 0 and "Traceback" not in server.log(), server.log()
    assert "preview gestopt" in server.log()
    events.close()


# tgkill(2), which sends a signal to one thread of a process, by machine.
_TGKILL = {"x86_64": 234, "aarch64": 131}


@pytest.mark.skipif(
    sys.platform != "linux" or os.uname().machine not in _TGKILL,
    reason="sends a signal to one thread with Linux's tgkill, numbered here for x86-64 and arm64",
)
def test_ctrl_c_stops_serve_when_another_thread_than_the_main_one_receives_it(tmp_path):
    """The system may deliver a process's SIGINT to any of its threads. Python notes it
    for the main thread, which must still see it: it did not when it waited endlessly,
    and the preview then ignored Ctrl-C (an occasional hang in these tests)."""
    import ctypes

    server = Served(write_site(tmp_path / "site", TINY))
    pid = server.process.pid
    others = wait_until(
        lambda: [int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid],
        what="serve's threads",
    )
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(_TGKILL[os.uname().machine], pid, others[0], signal.SIGINT) == 0
    try:
        code = server.process.wait(timeout=8)  # below the preview's own 10 s stop deadline
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        pytest.fail("serve ignored a SIGINT that one of its other threads received")
    assert code == 0 and "Traceback" not in server.log(), server.log()
    wait_until(lambda: "preview gestopt" in server.log(), 5, "the goodbye line")


def test_a_busy_port_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        root = write_site(tmp_path / "site", TINY)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "serve",
                "--source",
                str(root),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2
    assert "--port" in done.stderr and "Traceback" not in done.stderr
