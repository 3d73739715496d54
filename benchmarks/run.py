#!/usr/bin/env python3
"""Benchmarks: Kennisbank against Hugo, Eleventy and Pelican on the same corpus.

    python benchmarks/run.py [--sizes 1000,10000] [--rounds 3] [--install-peers] [--no-peers]

For each corpus size (made by benchmarks/make_corpus.py, deterministic) it times,
in alternating rounds so that machine drift hits every tool alike:
  - a cold build (no output, no cache) of Kennisbank and of each installed peer;
  - Kennisbank's cached rebuild with nothing changed;
  - Kennisbank's rebuild after one article changed;
and the peak memory (largest single process). Medians and ratios go to
benchmarks/RESULTS.md. Peers run through the adapters in the shared
bench/peers folder (Hugo from Debian, Eleventy from npm, Pelican from PyPI:
--install-peers installs the latter two into benchmarks/work/).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = HERE / "work"
CORPORA = HERE / "corpora"
# Where every tool writes its output by default (--outputs). On this machine's ext4,
# making files soon after a large deletion (the last round's output) costs up to 0.9 ms
# per inode in the kernel (ext4's recently_deleted scan), which swung each tool's cold
# build by seconds from round to round: tmpfs measures the tools, not that.
TMPFS = Path("/dev/shm")
PEERS = Path(os.environ.get("KB_PEERS", PROJECT.parent / "shared/bench/peers"))
PYTHON = sys.executable


def run_timed(
    args: list[str], cwd: Path | None = None, env: dict | None = None
) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB of the largest process) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(
            f"failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr.read().decode()[-2000:]}"
        )
    return wall, usage.ru_maxrss / 1024


def peer_versions() -> str:
    """The peers' versions, and those of Pelican's Markdown and Pygments: Pelican 4.12 as
    pip installs it today took 1.15 times as long at 1,000 articles as with Markdown 3.7
    and Pygments 2.18 (2026-12-07), and our ratio to it moves with them."""
    found = []
    if shutil.which("hugo"):
        done = subprocess.run(["hugo", "version"], capture_output=True, text=True)
        found += [f"Hugo {done.stdout.split()[1]}"] if done.returncode == 0 else []
    eleventy = WORK / "eleventy-env/node_modules/@11ty/eleventy/package.json"
    if eleventy.exists():
        found.append(f"Eleventy {json.loads(eleventy.read_text())['version']}")
    pip = WORK / "pelican-venv/bin/pip"
    if pip.exists():
        done = subprocess.run([str(pip), "freeze"], capture_output=True, text=True)
        wanted = ("pelican", "markdown", "pygments")
        pins = [line for line in done.stdout.split() if line.split("==")[0].lower() in wanted]
        found.append("Pelican with " + ", ".join(pins))
    return ("Peers: " + "; ".join(found) + ".") if found else ""


def interpreter() -> str:
    """The Python both Python tools run on. How it was built matters: on this machine
    Debian's python3.11, with libpython built into the executable, ran our 10k build in
    0.95 of the time pyenv's took, whose executable loads libpython as a shared library."""
    import platform

    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            shared = any("/libpython" in line for line in maps)
        linked = ", libpython loaded as a shared library" if shared else ", libpython built in"
    except OSError:
        linked = ""
    return f"Python {platform.python_version()} ({Path(sys.base_prefix)}{linked})"


def make_corpus(size: int) -> Path:
    root = CORPORA / f"c{size}"
    if not (root / "site.yaml").exists():
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run(
            [PYTHON, str(HERE / "make_corpus.py"), str(root), "--articles", str(size)], check=True
        )
        shutil.copy(HERE / "corpus_site.yaml", root / "site.yaml")
    for folder in ("templates", "static"):
        link = root / folder
        if not link.exists():
            link.symlink_to(PROJECT / folder, target_is_directory=True)
    return root


def remove(path: Path) -> None:
    if path.exists() or path.is_symlink():
        trash = path.with_name(path.name + f".old.{os.getpid()}")
        path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)


class Ours:
    name = "Kennisbank"

    def __init__(self, corpus: Path, outputs: Path):
        self.corpus = corpus
        self.out = outputs / f"kb-{corpus.name}"
        self.article = sorted((corpus / "content/articles").glob("*.md"))[
            len(list((corpus / "content/articles").glob("*.md"))) // 2
        ]

    def command(self) -> list[str]:
        # No search index: the peers' reference builds make none either.
        return [
            PYTHON,
            "-m",
            "generator",
            "build",
            "--no-search",
            "--source",
            str(self.corpus),
            "--out",
            str(self.out),
        ]

    def make_cold(self) -> None:
        """No output folder and no cache: the next build is a cold one."""
        remove(self.out)
        remove(self.corpus / ".cache")

    def cold(self) -> tuple[float, float]:
        self.make_cold()
        return run_timed(self.command(), cwd=PROJECT)

    def cached(self) -> tuple[float, float]:
        return run_timed(self.command(), cwd=PROJECT)

    def one_edit(self) -> tuple[float, float]:
        original = self.article.read_text(encoding="utf-8")
        self.article.write_text(original + f"\n\nGewijzigd om {time.time()}.\n", encoding="utf-8")
        try:
            return run_timed(self.command(), cwd=PROJECT)
        finally:
            self.article.write_text(original, encoding="utf-8")


class Peer:
    def __init__(
        self, name: str, folder: str, corpus: Path, outputs: Path, env: dict | None = None
    ):
        self.name = name
        self.folder = PEERS / folder
        self.site = WORK / f"{folder}-{corpus.name}"
        self.out = outputs / f"{folder}-{corpus.name}-out"
        self.env = env
        subprocess.run(
            ["bash", str(self.folder / "prepare.sh"), str(corpus), str(self.site)],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )

    def cold(self) -> tuple[float, float]:
        remove(self.out)
        result = run_timed(
            ["bash", str(self.folder / "build.sh"), str(self.site), str(self.out)], env=self.env
        )
        for leftover in self.out.parent.glob(self.out.name + ".old.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return result


def install_peers() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    venv = WORK / "pelican-venv"
    if not (venv / "bin/pelican").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin/pip"), "install", "-q", "pelican[markdown]==4.12.0"], check=True
        )
    eleventy = WORK / "eleventy-env"
    if not (eleventy / "node_modules/.bin/eleventy").exists():
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(eleventy), "@11ty/eleventy@3.1.8"],
            check=True,
        )


def available_peers(corpus: Path, outputs: Path) -> list[Peer]:
    peers = []
    if shutil.which("hugo") and (PEERS / "hugo").is_dir():
        peers.append(Peer("Hugo", "hugo", corpus, outputs))
    eleventy = WORK / "eleventy-env"
    if (eleventy / "node_modules/.bin/eleventy").exists() and (PEERS / "eleventy").is_dir():
        peers.append(
            Peer("Eleventy", "eleventy", corpus, outputs, dict(os.environ, PEERS_ENV=str(eleventy)))
        )
    pelican = WORK / "pelican-venv/bin/pelican"
    if pelican.exists() and (PEERS / "pelican").is_dir():
        env = dict(os.environ, PELICAN=str(pelican))
        peers.append(Peer("Pelican", "pelican", corpus, outputs, env))
    return peers


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench_size(size: int, rounds: int, with_peers: bool, outputs: Path) -> list[str]:
    corpus = make_corpus(size)
    ours = Ours(corpus, outputs)
    peers = available_peers(corpus, outputs) if with_peers else []
    cold: dict[str, list[tuple[float, float]]] = {p.name: [] for p in [ours, *peers]}
    completing, cached, edit = [], [], []
    ours.cold()  # warm the page cache and compile bytecode; not counted
    for number in range(1, rounds + 1):
        cold[ours.name].append(ours.cold())
        completing.append(ours.cached())  # completes the cold build's records (deferred.py)
        cached.append(ours.cached())
        edit.append(ours.one_edit())
        for peer in peers:
            cold[peer.name].append(peer.cold())
        walls = ", ".join(f"{name} {runs[-1][0]:.2f} s" for name, runs in cold.items())
        print(f"  {size}, round {number}: cold {walls}", file=sys.stderr)
    ours_cold = [w for w, _ in cold[ours.name]]
    lines = [
        f"### {size:,} articles ({rounds} rounds, medians)",
        "",
        "| tool | cold build | peak RSS | Kennisbank cold / tool cold (median of round ratios) |",
        "|---|---|---|---|",
    ]
    for name, runs in cold.items():
        walls = [w for w, _ in runs]
        ratios = [a / b for a, b in zip(ours_cold, walls, strict=True)]
        # Each round's ratio too: a goal such as 0.10 is read to the third decimal.
        each = "" if name == ours.name else f" ({', '.join(f'{r:.3f}' for r in ratios)})"
        lines.append(
            f"| {name} | {median(walls):.2f} s | {median([m for _, m in runs]):.0f} MiB | "
            f"{median(ratios):.3f}{each} |"
        )
    lines += [
        "",
        "| Kennisbank | wall | peak RSS |",
        "|---|---|---|",
        f"| first rebuild after the cold build, nothing changed (it completes the cold build's records: deferred.py) | {median([w for w, _ in completing]):.2f} s | {median([m for _, m in completing]):.0f} MiB |",
        f"| cached rebuild, nothing changed | {median([w for w, _ in cached]):.2f} s | {median([m for _, m in cached]):.0f} MiB |",
        f"| rebuild after one article changed | {median([w for w, _ in edit]):.2f} s | {median([m for _, m in edit]):.0f} MiB |",
        "",
        f"Kennisbank cold: {median(ours_cold) / (size * 1.05) * 1000:.3f} ms per page.",
        "",
    ]
    return lines + work_by_output(ours)


# What the peers' reference workload makes too (../shared/bench/peers/README.md): article
# and event pages, tag pages (theirs on one page each), the tag index, the home page and
# the events page. The feeds, calendars, sitemap, author and section lists and the
# rest are Kennisbank's own.
REFERENCE_OUTPUTS = {
    "page.html",
    "event.html",
    "term.html",
    "terms.html",
    "home.html",
    "events.html",
}
_COST_LINE = re.compile(r"^\s+(\S+)\s+(\d+) x\s+\d+ µs =\s+([0-9.]+) ms$", re.M)


def work_by_output(ours: Ours) -> list[str]:
    """Kennisbank's render time by kind of output, from one cold one-process build with
    `--timings`: how much of it goes to outputs the peers' reference builds do not make."""
    ours.make_cold()
    done = subprocess.run(
        [*ours.command(), "--jobs", "1", "--timings"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    costs = [(name, int(count), float(ms)) for name, count, ms in _COST_LINE.findall(done.stderr)]
    if not costs:
        return ["(`--timings` printed no costs per output.)", ""]
    total = sum(ms for *_, ms in costs)
    own = [(name, count, ms) for name, count, ms in costs if name not in REFERENCE_OUTPUTS]
    own_ms = sum(ms for *_, ms in own)
    lines = [
        "Where Kennisbank's render time goes (one cold build in one process, `--timings`): "
        f"{own_ms / total:.0%} of it ({own_ms:.0f} of {total:.0f} ms, "
        f"{sum(count for _, count, _ in own):,} of {sum(c for _, c, _ in costs):,} files) "
        "makes outputs the peers' reference workload has no counterpart for "
        "(marked *): they make no feeds, calendars, sitemap, author or section lists.",
        "",
        "| output | files | ms |",
        "|---|---|---|",
    ]
    for name, count, ms in costs:
        mark = "" if name in REFERENCE_OUTPUTS else " *"
        lines.append(f"| {name}{mark} | {count:,} | {ms:.0f} |")
    return [*lines, ""]


def compile_bytecode() -> None:
    """Our modules as bytecode, as pip leaves an installed package (Pelican's, here).
    An editable install compiles nothing, and where PYTHONDONTWRITEBYTECODE is set (as
    on this machine) every timed run compiled all our modules from source again: 50 ms
    of each build that no user with an installed Kennisbank pays."""
    if not compileall.compile_dir(PROJECT / "generator", quiet=1):
        raise SystemExit("could not compile generator/ to bytecode")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--install-peers", action="store_true")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--outputs",
        choices=("tmpfs", "disk"),
        default="tmpfs" if TMPFS.is_dir() and os.access(TMPFS, os.W_OK) else "disk",
        help="where the built sites go (default tmpfs where /dev/shm is writable)",
    )
    args = parser.parse_args()
    outputs = TMPFS / "kennisbank-bench" if args.outputs == "tmpfs" else WORK
    WORK.mkdir(parents=True, exist_ok=True)
    outputs.mkdir(parents=True, exist_ok=True)
    if args.install_peers:
        install_peers()
    compile_bytecode()
    report = [
        "# Benchmark results",
        "",
        f"Made by `benchmarks/run.py` on {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores. "
        "Cold = no output folder and no cache. "
        f"All tools write their output to the same file system: {outputs} "
        f"({'tmpfs' if args.outputs == 'tmpfs' else 'the disk'}); sources and caches are on disk. "
        "Kennisbank builds with `--no-search` here, like the peers' reference workload "
        "(Pagefind indexing is measured separately in benchmarks/search_weight.py). "
        f"Kennisbank and Pelican run on {interpreter()}. {peer_versions()}",
        "",
    ]
    for size in (int(s) for s in args.sizes.split(",")):
        report += bench_size(size, args.rounds, not args.no_peers, outputs)
    args.output.write_text("\n".join(report) + "\n", encoding="utf-8")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
