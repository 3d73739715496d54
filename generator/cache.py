"""The persistent build cache in `.cache/` (never in the output).

What the previous build learned, per output folder: parsed pages and rendered
Markdown by source file, dependency records by output, and the manifest of the
output. It is keyed by the generator's code, the configuration and the build
options; anything else, a damaged file or a foreign one, is discarded.
Unpickling is restricted to our own data classes, so a planted cache file
cannot run code.

The state is kept in shards (a source or output always lands in the same one)
named by an index file, so that a rebuild after one edit pickles and writes only
the shards whose entries changed, not the whole site. Shards live in pack files
(cachepacks.py), written before the index is replaced, so a build stopped halfway
leaves the previous index and its packs intact.

A cold build's sources are not pickled again for the cache: the parse and Markdown
workers pickled them already, to hand them to the parent, and those bytes are
stored as they are (`SourcePickles`) when the entries are still the ones they hold.
"""

from __future__ import annotations

import bisect
import copyreg
import hashlib
import io
import itertools
import operator
import pickle
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import generator
from generator.cachepacks import (
    PackWriter,
    Segment,
    copy_segments,
    open_packs,
    read_segment,
    remove_unnamed,
    too_much_dead,
    write_atomically,
)

CACHE_DIR = ".cache/kennisbank"
FORMAT = 3
MAGIC = "kennisbank-cache"
# Shards per part: enough that one edit rewrites a small share of the cache, few
# enough that reading them all stays cheap.
SHARDS = {"sources": 64, "records": 256, "manifest": 16}
_ALLOWED = {
    "builtins": {
        "set",
        "frozenset",
        "dict",
        "list",
        "tuple",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
    },
    "datetime": {"datetime", "date", "time", "timedelta", "timezone"},
    "markupsafe": {"Markup"},
}


def zone(key: str) -> ZoneInfo:
    """How a pickled time zone comes back (instead of ZoneInfo's own reducer, which the
    restricted unpickler refuses: it goes through `getattr`)."""
    return ZoneInfo(key)


# For every pickle this process makes, the workers' hand-overs included: their bytes
# are stored in the cache as they are.
copyreg.pickle(ZoneInfo, lambda value: (zone, (value.key,)))


@lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """The generator's version and code: a new release or a local edit invalidates caches."""
    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    h.update(generator.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


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
        self.pack = PackWriter(_shard_folder(index))
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
    count = SHARDS["sources"]
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


@dataclass(slots=True)
class CacheState:
    key: tuple = ()
    sources: dict = field(default_factory=dict)  # source -> loading.SourceEntry
    records: dict = field(default_factory=dict)  # output path -> deps.OutputRecord
    manifest: dict = field(default_factory=dict)  # output path -> output.FileState
    started_ns: int = 0  # wall clock when the build that made this state began
    # (part, shard) -> (its segments, the entries as stored): a shard whose entries are
    # still the same objects need not be written again.
    stored: dict = field(default_factory=dict, repr=False, compare=False)
    packs: dict = field(default_factory=dict, repr=False, compare=False)  # name -> size
    premade: SourcePickles | None = field(default=None, repr=False, compare=False)
    bounds: tuple[str, ...] = field(default=(), repr=False, compare=False)  # source_bounds


class _SafeUnpickler(pickle.Unpickler):
    """Only plain data classes of ours and a few value types; no functions, no modules."""

    def find_class(self, module: str, name: str):
        if "." not in name:
            if name in _ALLOWED.get(module, ()):
                return super().find_class(module, name)
            if module == __name__ and name == "zone":
                return zone
            if module.startswith("generator."):
                found = super().find_class(module, name)
                if isinstance(found, type) and found.__module__ == module:
                    return found
        raise pickle.UnpicklingError(f"refused {module}.{name}")


def cache_file(root: Path, out: Path) -> Path:
    tag = hashlib.blake2b(str(out.absolute()).encode(), digest_size=8).hexdigest()
    return root / CACHE_DIR / f"build-{tag}.pickle"


def _shard_folder(index: Path) -> Path:
    return index.with_suffix(".shards")


def _hashed_shard(key: str, count: int) -> int:
    return zlib.crc32(key.encode()) % count


def _unpickle(data: bytes | BinaryIO):
    return _SafeUnpickler(io.BytesIO(data) if isinstance(data, bytes) else data).load()


def _pickled(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def load(path: Path, key: tuple) -> CacheState:
    """The cached state for `key`, or an empty one when absent, damaged or foreign."""
    try:
        return _load(path, key)
    except Exception:  # damaged or foreign: start clean, never trust it
        return CacheState(key=key)


def _load(path: Path, key: tuple) -> CacheState:
    magic, form, stored_key, started_ns, sizes, bounds, parts = _unpickle(path.read_bytes())
    if magic != MAGIC or form != FORMAT or stored_key != key or parts.keys() != SHARDS.keys():
        return CacheState(key=key)
    if any(len(parts[part]) != count for part, count in SHARDS.items()):
        return CacheState(key=key)
    if len(bounds) != SHARDS["sources"] - 1 or not all(type(b) is str for b in bounds):
        return CacheState(key=key)
    state = CacheState(key=key, started_ns=int(started_ns), packs=dict(sizes), bounds=tuple(bounds))
    with open_packs(_shard_folder(path), sizes) as packs:
        for part, shards in parts.items():
            whole = getattr(state, part)
            for number, segments in enumerate(shards):
                if part == "sources":
                    entries = _sources_shard([read_segment(packs, s, _unpickle) for s in segments])
                else:
                    (segment,) = segments
                    entries = read_segment(packs, segment, _unpickle)
                if type(entries) is not dict:
                    return CacheState(key=key)
                whole.update(entries)
                state.stored[(part, number)] = (segments, entries)
    return state


def _sources_shard(values: list) -> dict:
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


def _same_entries(before: dict, now: dict) -> bool:
    return len(before) == len(now) and all(before.get(k) is v for k, v in now.items())


def _sources_segments(
    number: int, entries: dict, premade: SourcePickles | None, writer: PackWriter
) -> list[Segment]:
    """The three segments of a sources shard: the workers' pickles where they still hold
    these entries, else the entries pickled here."""
    parsed = premade.parsed.get(number) if premade else None
    rendered = premade.rendered.get(number) if premade else None
    if parsed is not None and _as_pickled(entries, parsed, rendered):
        # Every page digest as it is now: one set later in place (engine._write) may be
        # on the very object the bytes were pickled from, so no comparison with it can
        # tell what the bytes hold.
        later = {name: entries[name].page_digest for name in parsed.names}
        rendered_names = rendered.names if rendered else ()
        head = writer.add(_pickled((parsed.names, rendered_names, later)))
        markdown = rendered.segment if rendered else writer.add(_pickled([]))
        return [head, parsed.segment, markdown]
    names = tuple(entries)
    data = [_pickled((names, (), {})), _pickled(list(entries.values())), _pickled([])]
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


def save(path: Path, state: CacheState) -> None:
    """Write the shards that changed into a new pack, then the index naming every
    shard's place, then drop the packs no index names any more."""
    folder = _shard_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    bounds = (
        state.premade.bounds
        if state.premade and state.premade.bounds
        else state.bounds or source_bounds(list(state.sources))
    )
    packs = dict(state.packs)
    if state.premade is not None and state.premade.pack.finish():
        packs[state.premade.pack.name] = state.premade.pack.size
    writer = PackWriter(folder)
    layout, stored, kept = _lay_out(state, bounds, writer, {p.name for p in folder.iterdir()})
    if kept and too_much_dead(packs, [layout[p][n] for p, n in kept], writer.size):
        for part, number in kept:  # compact: the live shards move into the new pack
            layout[part][number] = copy_segments(folder, layout[part][number], writer)
            stored[(part, number)] = (layout[part][number], stored[(part, number)][1])
    if writer.finish():
        packs[writer.name] = writer.size
    sizes = {name: packs[name] for name in _named(layout)}
    index = (MAGIC, FORMAT, state.key, state.started_ns, sizes, bounds, layout)
    write_atomically(path, _pickled(index))
    state.stored = stored
    state.bounds = bounds
    state.packs = sizes
    state.premade = None  # the entries are stored: the bytes are not needed again
    remove_unnamed(folder, set(sizes))


def _lay_out(state: CacheState, bounds: tuple[str, ...], writer: PackWriter, existing: set[str]):
    """(segments of every shard by part, what `state.stored` becomes, the shards kept
    where they were). Shards whose entries are the very objects stored before stay in
    their packs; the others are added to `writer`."""
    layout: dict[str, list] = {}
    stored: dict = {}
    kept: list[tuple[str, int]] = []
    for part, count in SHARDS.items():
        shards: list[dict] = [{} for _ in range(count)]
        for name, value in getattr(state, part).items():
            number = source_shard(name, bounds) if part == "sources" else _hashed_shard(name, count)
            shards[number][name] = value
        places: list = [None] * count
        layout[part] = places
        for number, entries in enumerate(shards):
            before = state.stored.get((part, number))
            if (
                before
                and _same_entries(before[1], entries)
                and all(n in existing and n in state.packs for n, _at, _size in before[0])
            ):
                places[number] = before[0]
                kept.append((part, number))
            elif part == "sources":
                places[number] = _sources_segments(number, entries, state.premade, writer)
            else:
                places[number] = [writer.add(_pickled(entries))]
            stored[(part, number)] = (places[number], entries)
    return layout, stored, kept


def _named(layout: dict[str, list]) -> set[str]:
    return {name for shards in layout.values() for segments in shards for name, *_ in segments}
