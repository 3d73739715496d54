"""A cold build's sources in the build cache (cache.py): their shards, runs of
neighbouring source names, and the pickles the parse and Markdown workers made of
them, stored as they are while they still hold the entries the build ends with."""

from __future__ import annotations

import bisect
import itertools
import operator
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

    def store(self, data: bytes | memoryview) -> Segment:
        return self.pack.add(data)


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
        as_pickled = parsed is not None and _as_pickled(entries, parsed, rendered)
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


_parsed_fields = operator.attrgetter("origin", "stat", "digest", "page", "text", "problems")


def _as_pickled(entries: dict, parsed: PickledChunk, rendered: PickledChunk | None) -> bool:
    """Whether the entries are what the chunks' bytes hold: the same parse results
    (by identity) and the same rendered Markdown, later fields apart."""
    if len(parsed.names) != len(entries):
        return False
    markdown = dict(zip(rendered.names, rendered.results, strict=True)) if rendered else {}
    for name, result in zip(parsed.names, parsed.results, strict=True):
        entry = entries.get(name)
        if entry is None:
            return False
        made = markdown.get(name)
        if made is None:
            if entry.rendered is not None or entry.link_urls != result.link_urls:
                return False
        elif entry.rendered is not made[0] or entry.link_urls is not made[1]:
            return False
        if any(map(operator.is_not, _parsed_fields(entry), _parsed_fields(result))):
            return False
    return True


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
        and _as_pickled(entries, premade.parsed[number], premade.rendered.get(number))
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
