"""`serve`: build with drafts and future pages into .preview/, serve it, rebuild on change.

The pieces know nothing of each other's insides: the watcher reports changed
sources, the build loop calls the `rebuild` callable made by `make_rebuild`
(the one place that chooses the build engine), the hub tells open pages what
changed, and the web server serves the output folder.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from generator.buildloop import BuildLoop, Gate, Rebuild, Result
from generator.buildtypes import BuildOptions
from generator.engine import SiteBuilder
from generator.livereload import PreviewServer
from generator.reloads import ReloadHub
from generator.watch import start_watcher

PREVIEW_DIR = ".preview"  # never build/: a preview must not leak drafts into a deploy
EXIT_OK, EXIT_USAGE = 0, 2


def preview_options(host: str, port: int, now: datetime | None = None) -> BuildOptions:
    return BuildOptions(
        now=now,
        drafts=True,
        future=True,
        base_url=f"http://{_url_host(host)}:{port}/",
        mark_unpublished=True,
    )


def make_rebuild(root: Path, out: Path, options: BuildOptions) -> Rebuild:
    """The build the preview runs: `rebuild(changed_sources)`; None means everything.

    One SiteBuilder lives as long as the preview, so it remembers what each
    output was made from and re-renders only what a change affects.
    """
    builder = SiteBuilder(root, out, options)

    def rebuild(changed: set[str] | None) -> Result:
        result = builder.build(None if changed is None else with_folder_contents(root, changed))
        # The first build loads and saves .cache/ (a restarted preview starts from it);
        # later ones keep their memory only: saving costs about a quarter of an edit.
        builder.persistent_cache = False
        return result

    return rebuild


def with_folder_contents(root: Path, changed: set[str]) -> set[str]:
    """`changed` plus every file below a changed folder (a bundle moved in or renamed):
    the engine trusts sources that are not named, so none may be left out."""
    found = set(changed)
    for rel in changed:
        folder = root / rel
        if folder.is_dir():
            found.update(
                path.relative_to(root).as_posix() for path in folder.rglob("*") if path.is_file()
            )
    return found


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _say(text: str, stream=None) -> None:
    with contextlib.suppress(OSError):  # a closed terminal must not stop the preview
        print(text, file=stream or sys.stdout, flush=True)


def _report(result: Result, changed: set[str] | None, number: int) -> None:
    """One line per build on the terminal (tests count builds by it), then any problems."""
    for problem in result.problems:
        _say(problem.format(), sys.stderr)
    what = "alles" if changed is None else f"{len(changed)} bron(nen)"
    if result.ok:
        _say(
            f"build {number}: {what} -> {len(result.changed)} bestand(en) gewijzigd "
            f"in {result.seconds:.2f} s"
        )
    else:
        errors = sum(1 for p in result.problems if p.is_error)
        _say(f"build {number}: {errors} fout(en); de vorige versie blijft zichtbaar")


class Preview:
    """The running preview: server, build loop and watcher, started and stopped together."""

    def __init__(
        self, root: Path, out: Path, host: str, port: int, rebuild_for: Callable[[int], Rebuild]
    ):
        """`rebuild_for(port)` makes the build callable once the real port is known."""
        self.root = root
        self.out = out
        self.hub = ReloadHub()
        gate = Gate()
        # Binding first gives the real port (0 = any free one) before the first build.
        self.server = PreviewServer((host, port), out, self.hub, gate, self._status)
        self.loop = BuildLoop(rebuild_for(self.port), self._built, gate=gate)
        self.watcher = None
        self._serving: threading.Thread | None = None
        self._last_seconds = 0.0

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def _status(self) -> dict:
        return {"builds": self.loop.builds, "last_build_seconds": self._last_seconds}

    def _built(self, result: Result, changed: set[str] | None) -> None:
        self._last_seconds = result.seconds
        _report(result, changed, self.loop.builds)
        self.hub.record(result.changed, result.problems)

    def start(self, poll: bool) -> Result:
        # Watching before the first build: a save made during it is built right after.
        self.watcher, note = start_watcher(self.root, self.loop.notify, poll)
        if note:
            _say(note)
        first = self.loop.build_now(None)
        self.loop.start()
        self._serving = threading.Thread(
            target=self.server.serve_forever, args=(0.1,), name="preview-http", daemon=True
        )
        self._serving.start()
        return first

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.loop.stop()
        self.hub.close()
        if self._serving is not None:
            self.server.shutdown()
            self._serving.join(timeout=5)
        self.server.server_close()


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM end the preview cleanly, even when started from a background
    job (which inherits an ignored SIGINT) or a process manager."""

    main = os.getpid()

    def handler(signum, frame):
        if os.getpid() != main:  # a forked build worker inherited this: end as by default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not in the main thread
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if hasattr(signal, "SIGUSR1"):  # a preview that will not stop: where is each thread?
            faulthandler.register(signal.SIGUSR1, all_threads=True)


def _wait_for_a_signal() -> None:
    """Wait until Ctrl-C or SIGTERM raises KeyboardInterrupt here, in the main thread.

    In short waits, not one endless one: the system may hand a signal sent to the
    process to any of its threads (the server's, the watcher's, the builder's). Python
    then only notes it for the main thread, which sees the note when it next runs, and
    a main thread blocked in one endless wait never would: the preview did not stop."""
    while True:
        time.sleep(SIGNAL_CHECK_SECONDS)


SIGNAL_CHECK_SECONDS = 0.2
STOP_DEADLINE = 10.0  # seconds a stopping preview may take before it is ended regardless


def _exit_anyway_after(seconds: float) -> threading.Timer:
    """Ctrl-C must end the preview even if a thread hangs while stopping (each part waits
    up to 5 s for its thread, and a busy machine can add up to more)."""

    def end() -> None:
        _say("preview gestopt")
        os._exit(EXIT_OK)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()
    return timer


def serve(root: Path, host: str, port: int, now: datetime | None = None, poll: bool = False) -> int:
    out = root / PREVIEW_DIR
    _stop_on_signals()
    preview = None
    try:
        try:
            preview = Preview(
                root,
                out,
                host,
                port,
                lambda real_port: make_rebuild(root, out, preview_options(host, real_port, now)),
            )
        except OSError as error:
            _say(
                f"kan niet luisteren op {host}:{port} ({error.strerror}); "
                "kies een andere poort met --port",
                sys.stderr,
            )
            return EXIT_USAGE
        first = preview.start(poll)
        if not first.ok and not out.is_dir():
            _say("de eerste build is mislukt; herstel de fout en sla op")
        _say(f"Kennisbank-preview: http://{_url_host(host)}:{preview.port}/ (Ctrl-C om te stoppen)")
        _wait_for_a_signal()
    except KeyboardInterrupt:
        pass
    finally:
        deadline = _exit_anyway_after(STOP_DEADLINE)
        if preview is not None:
            preview.stop()
        deadline.cancel()
    _say("preview gestopt")
    return EXIT_OK
