"""A cold build's sources in the build cache (cache.py): their shards, runs of
neighbouring source names, and the pickles the parse and Markdown workers made of
them, stored as they are while they still hold the entries the build ends with."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.cachepacks import PackWriter, Segment, pickled, shard_folder

if TYPE_CHECKING:
    from generator.cache import CacheState

SOURCE_SHARDS = 64


@dataclass(slots=True)
class PickledChunk:
    """Results of one chunk of work as pickled by the process that made them."""

    names: tuple[str, ...]  # the source of each result, in order
    results: list  # the objects the parent holds for them
    segment: Segment  # where the pickle was written


class SourcePickles:
    """A cold build's parse and Markdown results, pickled, by sources shard; and where
    its shards begin (see `source_bounds`). The pickles go to a pack as they come, so
    that memory holds none of them (600 MB at 50,000 pages)."""

    def __init__(self, index: Path):
        self.pack = PackWriter(shard_folder(index))
        self.parsed: dict[int, PickledChunk] = {}
        self.rendered: dict[int, PickledChunk] = {}
        self.bounds: tuple[str, ...] = ()
        # By source, the entry the build made of the pickled results: the parse result,
        # or the entry made of that and its rendered Markdown (those in `joined`). An
        # entry no longer there by identity is not what the bytes hold.
        self.made: dict[str, object] = {}
        self.joined: set[str] = set()

    def store(self, data: bytes | memoryview) -> Segment:
        return self.pack.add(data)

    def add_parsed(self, chunks: dict[int, PickledChunk]) -> None:
        self.parsed.update(chunks)
        for chunk in chunks.values():
            self.made.update(zip(chunk.names, chunk.results, strict=True))

    def join(self, name: str, parsed: object, whole: object) -> None:
        """`whole` is the entry `parsed` with the rendered Markdown of `name`, taken from
        the results of `self.rendered`."""
        if self.made.get(name) is parsed:
            self.made[name] = whole
            self.joined.add(name)
        else:
            self.made[name] = _CHANGED


# The middle shards' share against the end ones': 4.5 against 35.5 (37 and 290 sources
# at 10k).
_SHARD_TAPER = 4


def source_bounds(names: list[str]) -> tuple[str, ...]:
    """Where each sources shard after the first begins, in name order: each a run of
    neighbouring sources. Workers parse and render a shard at a time, so they go through
    the sources in order, as they lie on disk and as their entries come to lie in memory
    (by hash, memory was visited at random: 10% slower). A cold build sets them; later
    sources join the shard their name falls in.

    The parent takes shards from the front and a worker from the back (parallel._claim),
    so they meet near the middle: shards are large at both ends and small there, so the
    one that finishes first waits only for a short last shard (equal shards of 164
    sources at 10k left it waiting up to 14 ms, at the end of each of two stages)."""
    ordered = sorted(names)
    count = SOURCE_SHARDS
    if not ordered:
        return ("",) * (count - 1)
    middle = (count - 1) / 2
    weights = [abs(number - middle) + _SHARD_TAPER for number in range(count)]
    total, reached, bounds = sum(weights), 0.0, []
    for weight in weights[:-1]:
        reached += weight
        bounds.append(ordered[min(len(ordered) - 1, round(len(ordered) * reached / total))])
    return tuple(bounds)


def source_shard(name: str, bounds: tuple[str, ...]) -> int:
    return bisect.bisect_right(bounds, name)


def shard_runs(
    names: list[str], bounds: tuple[str, ...]
) -> tuple[list[tuple[int, int]], list[int]]:
    """For sorted `names`: each non-empty run of them in one shard, as (start, stop),
    and that shard's number (`source_shard` of each name in the run). One search per
    shard, where one per name was 10,000 at 10,000 pages, in each of two stages."""
    starts = [0, *(bisect.bisect_left(names, bound) for bound in bounds), len(names)]
    runs: list[tuple[int, int]] = []
    shards: list[int] = []
    for shard, (start, stop) in enumerate(itertools.pairwise(starts)):
        if start < stop:
            runs.append((start, stop))
            shards.append(shard)
    return runs, shards


def sources_shard(values: list) -> dict:
    """A sources shard: (names, rendered names, page digests as saved), the parsed
    entries, and the rendered Markdown (with its links' URLs) of those that have it."""
    (names, rendered_names, later), parsed, rendered = values
    if len(parsed) != len(names) or len(rendered) != len(rendered_names):
        raise ValueError("a sources shard whose parts do not match")
    entries = dict(zip(names, parsed, strict=True))
    for name, (markdown, link_urls) in zip(rendered_names, rendered, strict=True):
        entry = entries[name]
        entry.rendered, entry.link_urls = markdown, link_urls
    for name, page_digest in later.items():
        entries[name].page_digest = page_digest
    return entries


def sources_segments(
    number: int,
    entries: dict,
    premade: SourcePickles | None,
    writer: PackWriter,
    as_pickled: bool | None = None,
) -> list[Segment]:
    """The three segments of a sources shard: the workers' pickles where they still hold
    these entries, else the entries pickled here. `as_pickled`: whether they do, when
    that was worked out already (None: find out here)."""
    parsed = premade.parsed.get(number) if premade else None
    rendered = premade.rendered.get(number) if premade else None
    if as_pickled is None:
        as_pickled = parsed is not None and _as_pickled(entries, parsed, rendered, premade)
    if parsed is not None and as_pickled:
        # Every page digest as it is now: one set later in place (engine._write) may be
        # on the very object the bytes were pickled from, so no comparison with it can
        # tell what the bytes hold.
        later = {name: entries[name].page_digest for name in parsed.names}
        rendered_names = rendered.names if rendered else ()
        head = writer.add(pickled((parsed.names, rendered_names, later)))
        markdown = rendered.segment if rendered else writer.add(pickled([]))
        return [head, parsed.segment, markdown]
    names = tuple(entries)
    data = [pickled((names, (), {})), pickled(list(entries.values())), pickled([])]
    return [writer.add(piece) for piece in data]


_CHANGED = object()  # in SourcePickles.made: an entry that is not what its bytes hold


def _as_pickled(
    entries: dict, parsed: PickledChunk, rendered: PickledChunk | None, premade: SourcePickles
) -> bool:
    """Whether a shard's entries are what its chunks' bytes hold (later fields apart):
    each is the very entry the build made of them (`SourcePickles.made`), and those made
    with rendered Markdown are the shard's rendered ones. Compared by identity alone:
    beside the render, reading every field of every entry wrote to the memory the
    render worker shares (reference counts), 45 ms of copied pages at 10,000 pages."""
    names = parsed.names
    if len(names) != len(entries):
        return False
    made, joined = premade.made, premade.joined
    if not all(entries.get(name) is made.get(name, _CHANGED) for name in names):
        return False
    return {name for name in names if name in joined} == set(rendered.names if rendered else ())


@dataclass(slots=True)
class SourcesLaidOut:
    """A cold build's sources by shard, and whether the workers' pickles of each still
    hold its entries: worked out by `lay_out_sources` beside the render (engine), where
    it takes no time of its own. At 10,000 pages it was a third of the save after it."""

    sources: dict  # the entries it was worked out for, as they are (compared by identity)
    bounds: tuple[str, ...]
    shards: list[dict]
    as_pickled: list[bool]


def lay_out_sources(state: CacheState) -> SourcesLaidOut:
    """For `save`, of a state with the workers' pickles (`state.premade`) to check."""
    premade = state.premade
    assert premade is not None  # the caller has them: otherwise there is nothing to gain
    bounds = sources_bounds(state)
    shards = sources_shards(state.sources, bounds)
    as_pickled = [
        number in premade.parsed
        and _as_pickled(entries, premade.parsed[number], premade.rendered.get(number), premade)
        for number, entries in enumerate(shards)
    ]
    return SourcesLaidOut(state.sources, bounds, shards, as_pickled)


def sources_bounds(state: CacheState) -> tuple[str, ...]:
    if state.premade and state.premade.bounds:
        return state.premade.bounds
    return state.bounds or source_bounds(list(state.sources))


def sources_shards(sources: dict, bounds: tuple[str, ...]) -> list[dict]:
    shards: list[dict] = [{} for _ in range(SOURCE_SHARDS)]
    for name, value in sources.items():
        shards[source_shard(name, bounds)][name] = value
    return shards
