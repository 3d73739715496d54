#!/usr/bin/env python3
"""What search costs a reader: bytes fetched for one query vs the whole Pagefind index.

    python benchmarks/search_weight.py [--articles 10000] [QUERY ...]

Makes a corpus (benchmarks/make_corpus.py), builds it with the project's templates,
then opens /zoeken/?q=QUERY in headless Chromium (Debian's /usr/bin/chromium) and
adds up every /pagefind/ response. Prints the index size, the build's search time,
and per query the bytes of the runtime (fetched once), index chunks and fragments.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))

from generator.build import BuildOptions, build  # noqa: E402
from tests.readerkit import serve_folder  # noqa: E402


def _corpus(work: Path, articles: int) -> Path:
    root = work / f"search-{articles}"
    if not (root / "content").is_dir():
        subprocess.run(
            [sys.executable, str(HERE / "make_corpus.py"), str(root), "--articles", str(articles)],
            check=True,
            capture_output=True,
        )
        shutil.copy(HERE / "corpus_site.yaml", root / "site.yaml")
        for name in ("templates", "static"):
            (root / name).symlink_to(PROJECT / name, target_is_directory=True)
    return root


def _fetched(out: Path, query: str) -> dict[str, int]:
    from playwright.sync_api import sync_playwright

    sizes: dict[str, int] = {}
    with serve_folder(out) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        tab = browser.new_page()

        def note(response) -> None:
            if "/pagefind/" in response.url:
                part = response.url.split("/pagefind/", 1)[1]
                kind = part.split("/", 1)[0] if "/" in part else "runtime"
                try:
                    size = len(response.body())
                except Exception:  # body gone (worker fetch): fall back to the header
                    size = int(response.headers.get("content-length", 0))
                sizes[kind] = sizes.get(kind, 0) + size

        tab.context.on("response", note)
        tab.goto(f"{url}/zoeken/?q={query}")
        tab.wait_for_function(
            "document.querySelector('#zoekstatus').textContent.match(/resulta|Niets/)",
            timeout=120_000,
        )
        tab.wait_for_load_state("networkidle")
        browser.close()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("queries", nargs="*", default=["woonvoorzieningen", "eenzaamheid"])
    args = parser.parse_args()
    root = _corpus(HERE / "work", args.articles)
    out = root / "build"
    result = build(root, out, BuildOptions(now=datetime(2024, 6, 1, 12)), persistent_cache=False)
    assert result.ok, result.problems
    files = [p for p in (out / "pagefind").rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    print(f"{args.articles} articles: index {total / 1e6:.1f} MB in {len(files)} files; ", end="")
    print(f"search stage {result.timings.get('search', 0):.1f} s")
    for query in args.queries:
        sizes = _fetched(out, query)
        parts = ", ".join(f"{k} {v / 1e3:.0f} kB" for k, v in sorted(sizes.items()))
        share = 100 * sum(sizes.values()) / total
        print(
            f"  q={query}: {sum(sizes.values()) / 1e3:.0f} kB ({share:.1f}% of the index): {parts}"
        )


if __name__ == "__main__":
    main()
