"""`check --external`: links to other sites, checked a few at a time, with a
timeout and a cache (.cache/links.json) so that a second run costs nothing.

A 404 or 410 is a dead link: an error. Anything else that fails (timeout,
refused connection, 5xx, 403, 429) may pass by itself: a warning, and not
cached, so the next run asks again.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Problem
from generator.i18n import text
from generator.linkcheck import exact_line
from generator.markdown import Rendered
from generator.model import Page

CACHE_FILE = ".cache/links.json"
CACHE_VERSION = 1
KEEP_GOOD = 7 * 24 * 3600  # seconds a working link is trusted
KEEP_DEAD = 24 * 3600  # a dead link is asked again after a day
WORKERS = 8
TIMEOUT = 10.0
DEAD = (404, 410)
USER_AGENT = "Kennisbank-linkcheck/1.0 (+https://kennisbank.example.nl/)"


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    dead: bool  # sure to be broken (404/410), not just unreachable now
    status: str  # '200', '404', 'timeout', 'verbinding geweigerd', ...


def collect(published: list[Page], rendered: dict[str, Rendered]) -> dict[str, list[tuple]]:
    """url -> [(source, line)] for every outside link, image and registration address."""
    found: dict[str, list[tuple]] = {}
    for page in published:
        body = rendered.get(page.source)
        if body is not None:
            for url, line in body.external:
                found.setdefault(url, []).append((page.source, exact_line(page, line, url)))
            for src, _alt, line in body.images:
                if src.startswith(("http://", "https://")):
                    found.setdefault(src, []).append((page.source, line))
        if page.event and page.event.registration:
            url = page.event.registration
            found.setdefault(url, []).append((page.source, page.line_of("registration")))
    return found


def _load_cache(path: Path, now: float) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or corrupt: start afresh, never trust it
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    links = data.get("links")
    if not isinstance(links, dict):
        return {}
    fresh = {}
    for url, entry in links.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("checked"), int | float):
            continue
        keep = KEEP_GOOD if entry.get("ok") else KEEP_DEAD
        if now - entry["checked"] < keep:
            fresh[url] = entry
    return fresh


def _save_cache(path: Path, links: dict[str, dict]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"version": CACHE_VERSION, "links": links}, indent=1, sort_keys=True),
            encoding="utf-8",
        )
        temporary.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time next run


def probe(url: str, timeout: float = TIMEOUT) -> Outcome:
    """HEAD first (cheap); servers that refuse HEAD get a GET."""
    # Imported here: with ssl, http and email it is 10 ms of every build's start,
    # and only a build that checks links on other sites uses it.
    import urllib.error
    import urllib.request

    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Outcome(True, False, str(response.status))
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return Outcome(False, error.code in DEAD, str(error.code))
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            label = "timeout" if isinstance(reason, TimeoutError) else str(reason)
            return Outcome(False, False, label)
    return Outcome(False, False, "?")


def check_external(
    root: Path,
    published: list[Page],
    rendered: dict[str, Rendered],
    timeout: float = TIMEOUT,
    workers: int = WORKERS,
) -> list[Problem]:
    links = collect(published, rendered)
    cache_path = root / CACHE_FILE
    now = time.time()
    cache = _load_cache(cache_path, now)
    to_ask = sorted(url for url in links if url not in cache)
    if to_ask:
        with ThreadPoolExecutor(max_workers=min(workers, len(to_ask))) as pool:
            outcomes = pool.map(lambda u: probe(u, timeout), to_ask)
            for url, outcome in zip(to_ask, outcomes, strict=True):
                transient = not (outcome.ok or outcome.dead)
                cache[url] = {
                    "ok": outcome.ok,
                    "status": outcome.status,
                    "checked": now,
                    "transient": transient,
                }
    problems = []
    for url, places in links.items():
        entry = cache.get(url, {})
        if entry.get("ok"):
            continue
        code = "unreachable-link" if entry.get("transient") else "dead-link"
        severity = "warning" if entry.get("transient") else "error"
        for source, line in places:
            problems.append(
                Problem(
                    source,
                    line,
                    text(code, url=url, status=entry.get("status", "?")),
                    severity=severity,
                )
            )
    _save_cache(cache_path, {u: e for u, e in cache.items() if not e.get("transient")})
    return problems
