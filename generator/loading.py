"""Sources -> pages and rendered Markdown, reusing what an earlier build already did.

A source is parsed again only when its bytes (or where it sits) changed, and
its Markdown rendered again only when its text changed or a page it links to
moved to another URL.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.cachesources import PickledChunk, SourcePickles, shard_runs, source_bounds
from generator.config import SiteConfig
from generator.content import Discovery, PageSource
from generator.digest import hash_bytes
from generator.errors import Problem
from generator.frontmatter import normalise_text, parse_document
from generator.keycheck import key_sets, unknown_keys_of
from generator.markdown import Rendered, render_markdown
from generator.model import Page, TextDocument
from generator.pages import build_page
from generator.parallel import map_chunks
from generator.slotstate import quick_state


@quick_state  # dataclasses' own pickling looks its fields up for every object
@dataclass(slots=True)
class SourceEntry:
    origin: tuple  # where the source sits: ('page', PageSource fields) or ('text', key)
    stat: tuple[int, int]  # size, mtime_ns
    digest: str  # of the file's bytes
    page: Page | None = None
    text: TextDocument | None = None
    problems: tuple[Problem, ...] = ()
    rendered: Rendered | None = None
    # The URL each of rendered.links pointed at when it was rendered (None: no page).
    link_urls: tuple[str | None, ...] = ()
    # Identifies `page`: the page is made from the file's bytes and where it sits alone
    # (configuration and generator version key the whole cache), so there is no need to
    # digest its fields, which was 7% of a cold build.
    page_digest: str | None = None

    @property
    def document(self) -> Page | TextDocument | None:
        return self.page or self.text


def _origin_of(item: PageSource | tuple) -> tuple:
    if isinstance(item, PageSource):
        return ("page", item.source, item.section, item.bundle_assets, item.name)
    return ("text", item)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _read(path: str, stat: tuple[int, int] | None) -> tuple[tuple[int, int], bytes]:
    """(size and mtime, bytes) of a file. A new source's stat is taken here, from the
    open file but before reading it: a change made while it is read shows as newer."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if stat is None:
            found = os.fstat(fd)
            stat = (found.st_size, found.st_mtime_ns)
        # One read of the size it had (plus one byte, to see the end), not a 64 KiB
        # buffer that malloc handed out and took back for every file.
        data = os.read(fd, stat[0] + 1)
        if len(data) != stat[0]:  # grown since its stat, or a short read: on to the end
            chunks = [data]
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
            data = b"".join(chunks)
    finally:
        os.close(fd)
    return stat, data


def _parse(root: Path, config: SiteConfig, keys, source: str, item, stat) -> SourceEntry:
    """`keys`: keycheck.key_sets(config), worked out once for all sources."""
    origin = _origin_of(item)
    try:
        stat, raw = _read(f"{root}/{source}", stat)
    except OSError as error:
        problem = Problem(source, 0, f"kan het bestand niet lezen ({error.strerror})")
        return SourceEntry(origin, stat or (0, 0), "", problems=(problem,))
    entry = SourceEntry(origin, stat or (0, 0), hash_bytes(raw))
    text, problem = normalise_text(raw, source)
    if problem:
        entry.problems = (problem,)
        return entry
    doc = parse_document(text, source)
    if doc.problems:
        entry.problems = tuple(doc.problems)
        return entry
    if isinstance(item, PageSource):
        page, problems = build_page(item, doc, config)
        if page is not None:
            problems += unknown_keys_of(page, keys)
            entry.page_digest = hash_bytes(repr((origin, entry.digest)).encode())
        entry.page, entry.problems = page, tuple(problems)
    else:
        title = doc.meta.get("title", "")
        entry.text = TextDocument(
            source, str(title) if title else "", doc.meta, doc.body, doc.body_line
        )
    return entry


def racy(stat: tuple[int, int], racy_after_ns: int) -> bool:
    """Whether a file of this stat may have changed unseen: modified so close to (or
    after) the last build's start that an equal mtime proves nothing."""
    return stat[1] >= racy_after_ns


def load_sources(
    root: Path,
    config: SiteConfig,
    found: Discovery,
    previous: dict[str, SourceEntry],
    workers: int,
    trust_unchanged: set[str] | None = None,
    racy_after_ns: int = 0,
    pickles: SourcePickles | None = None,
    beside: Callable[[], None] | None = None,
) -> dict[str, SourceEntry]:
    """Every source's entry, parsing only what changed.

    `trust_unchanged`: sources known (from a file watcher) not to have changed
    since `previous`; they are not even stat'ed. A file whose size and mtime
    are as before is trusted too, unless its mtime is later than
    `racy_after_ns` (it may have changed again within the clock's resolution,
    the "racy git" problem): then its bytes are compared.

    `pickles` receives, when every source is parsed anew (a cold build), the parse
    results as pickled by the workers, one chunk per cache shard. `beside`: work the
    parent does meanwhile, when workers share this (see map_chunks).
    """
    items: list[tuple[str, object]] = [(p.source, p) for p in found.pages]
    items += [(source, ("intro", key)) for key, source in found.intros.items()]
    items += [(source, ("term", key)) for key, source in found.term_texts.items()]
    entries: dict[str, SourceEntry] = {}
    todo: list[tuple[str, object, tuple[int, int] | None]] = []
    for source, item in items:
        old = previous.get(source)
        origin = _origin_of(item)
        if old is not None and old.origin == origin:
            if trust_unchanged is not None and source in trust_unchanged:
                entries[source] = old
                continue
            stat = _stat(root / source)
            if stat == old.stat and not racy(stat, racy_after_ns):
                entries[source] = old
                continue
            todo.append((source, item, stat))
        else:
            todo.append((source, item, None))  # the worker looks

    keys = key_sets(config)

    def parse_range(indexes: range) -> list[SourceEntry]:
        return [_parse(root, config, keys, *todo[i][:2], todo[i][2]) for i in indexes]

    keep = pickles is not None and len(todo) == len(items)
    if keep:
        todo.sort(key=lambda item: item[0])
    names = [source for source, *_rest in todo]
    if keep:
        pickles.bounds = source_bounds(names)
    parsed = _mapped(parse_range, names, workers, pickles if keep else None, beside)
    if keep:
        pickles.add_parsed(parsed[1])
    for (source, *_rest), entry in zip(todo, parsed[0], strict=True):
        old = previous.get(source)
        if old is not None and old.digest == entry.digest and old.origin == entry.origin:
            # Touched, not changed: keep the rendered Markdown. A new object (not the
            # old one changed in place) so that the cache knows to store the new stat;
            # the old one itself when the stat is the same (a file read again only
            # because it was written just before the last build), so that its cache
            # shard is not written again.
            same = entry.stat == old.stat
            entries[source] = old if same else dataclasses.replace(old, stat=entry.stat)
        else:
            entries[source] = entry
    return {source: entries[source] for source, _ in items}


def _mapped(task, names: list[str], workers: int, pickles: SourcePickles | None, beside=None):
    """(results, their pickles by shard) of `map_chunks` over the named items; with
    `pickles`, in chunks of one sources shard each (the names come sorted; see
    cachesources.source_bounds), their pickles stored there as they come. `beside`: see
    map_chunks."""
    if pickles is None:
        return map_chunks(task, len(names), workers, beside=beside), {}
    chunks, shards = shard_runs(names, pickles.bounds)
    segments = {}

    def store(index: int, data: bytes | memoryview) -> None:
        segments[index] = pickles.store(data)

    results = map_chunks(task, len(names), workers, bounds=chunks, on_pickled=store, beside=beside)
    kept = {}
    for index, (start, stop) in enumerate(chunks):
        if index in segments:
            names_here = tuple(names[start:stop])
            kept[shards[index]] = PickledChunk(names_here, results[start:stop], segments[index])
    return results, kept


def _link_urls(rendered: Rendered, urls: dict[str, str]) -> tuple[str | None, ...]:
    # URLs alone, in the links' order: their targets are in the links already, and
    # pairs were twice the pickling (worker to parent, and into the cache).
    return tuple([urls.get(link.target) for link in rendered.links])


def render_sources(
    entries: dict[str, SourceEntry],
    sources: list[str],
    urls: dict[str, str],
    workers: int,
    pickles: SourcePickles | None = None,
    beside: Callable[[], None] | None = None,
) -> None:
    """Make sure every source in `sources` has up-to-date rendered Markdown. `pickles`:
    see load_sources; kept when the sources were all parsed anew. `beside`: work the
    parent does meanwhile, when workers share this (see map_chunks)."""
    todo = []
    for source in sources:
        entry = entries[source]
        if entry.rendered is not None and entry.link_urls == _link_urls(entry.rendered, urls):
            continue
        todo.append(source)

    def render_range(indexes: range) -> list[tuple[Rendered, tuple]]:
        out = []
        for i in indexes:
            doc = entries[todo[i]].document
            rendered = render_markdown(doc.body, doc.source, doc.body_line, urls)
            out.append((rendered, _link_urls(rendered, urls)))
        return out

    keep = pickles is not None and bool(pickles.parsed)
    if keep:
        todo.sort()
    rendered_all, chunks = _mapped(render_range, todo, workers, pickles if keep else None, beside)
    if keep:
        pickles.rendered.update(chunks)
    for source, (rendered, link_urls) in zip(todo, rendered_all, strict=True):
        # Replaced, not changed in place, so that the cache sees what changed.
        parsed = entries[source]
        entries[source] = _with_markdown(parsed, rendered, link_urls)
        if keep:
            pickles.join(source, parsed, entries[source])


def _with_markdown(entry: SourceEntry, rendered: Rendered, link_urls: tuple) -> SourceEntry:
    """A new entry like `entry` with this Markdown (dataclasses.replace took 3 us)."""
    return SourceEntry(
        entry.origin,
        entry.stat,
        entry.digest,
        entry.page,
        entry.text,
        entry.problems,
        rendered,
        link_urls,
        entry.page_digest,
    )
