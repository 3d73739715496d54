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

import copyreg
import io
import pickle
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import xxhash  # not hashlib: loading OpenSSL's was 2 ms of every build's start

import generator
from generator.cachepacks import (
    PackWriter,
    copy_segments,
    open_packs,
    pickled,
    read_segment,
    remove_unnamed,
    shard_folder,
    too_much_dead,
    write_atomically,
)
from generator.cachesources import (
    SOURCE_SHARDS,
    SourcePickles,
    SourcesLaidOut,
    sources_bounds,
    sources_segments,
    sources_shard,
    sources_shards,
)
from generator.records import OutputRecord

CACHE_DIR = ".cache/kennisbank"
FORMAT = 6  # 6: the time of a build whose records are deferred (records.DEFERRED)
MAGIC = "kennisbank-cache"
# Shards per part: enough that one edit rewrites a small share of the cache, few
# enough that reading them all stays cheap.
SHARDS = {"sources": SOURCE_SHARDS, "records": 256, "manifest": 16}
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
    h = xxhash.xxh3_128()
    h.update(generator.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass(slots=True)
class CacheState:
    key: tuple = ()
    sources: dict = field(default_factory=dict)  # source -> loading.SourceEntry
    records: dict = field(default_factory=dict)  # output path -> records.OutputRecord
    manifest: dict = field(default_factory=dict)  # output path -> output.FileState
    started_ns: int = 0  # wall clock when the build that made this state began
    # The time the model ran at when its records were deferred (records.DEFERRED), for the
    # next build to make that model again (remodel.model_again); None: not deferred.
    deferred_at: datetime | None = None
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
    tag = xxhash.xxh3_64_hexdigest(str(out.absolute()).encode())
    return root / CACHE_DIR / f"build-{tag}.pickle"


def _unpickle(data: bytes | BinaryIO):
    return _SafeUnpickler(io.BytesIO(data) if isinstance(data, bytes) else data).load()


def load(path: Path, key: tuple) -> CacheState:
    """The cached state for `key`, or an empty one when absent, damaged or foreign."""
    try:
        return _load(path, key)
    except Exception:  # damaged or foreign: start clean, never trust it
        return CacheState(key=key)


def _load(path: Path, key: tuple) -> CacheState:
    index = _unpickle(path.read_bytes())
    magic, form, stored_key, started_ns, sizes, bounds, parts, deferred_at = index
    if magic != MAGIC or form != FORMAT or stored_key != key or parts.keys() != SHARDS.keys():
        return CacheState(key=key)
    if deferred_at is not None and (type(deferred_at) is not datetime or not deferred_at.tzinfo):
        return CacheState(key=key)
    if any(len(parts[part]) != count for part, count in SHARDS.items()):
        return CacheState(key=key)
    if len(bounds) != SHARDS["sources"] - 1 or not all(type(b) is str for b in bounds):
        return CacheState(key=key)
    state = CacheState(
        key=key,
        started_ns=int(started_ns),
        packs=dict(sizes),
        bounds=tuple(bounds),
        deferred_at=deferred_at,
    )
    with open_packs(shard_folder(path), sizes) as packs:
        for part, shards in parts.items():
            whole = getattr(state, part)
            for number, segments in enumerate(shards):
                if part == "sources":
                    entries = sources_shard([read_segment(packs, s, _unpickle) for s in segments])
                else:
                    (segment,) = segments
                    entries = read_segment(packs, segment, _unpickle)
                    if part == "records":
                        entries = _records(entries)
                if type(entries) is not dict:
                    return CacheState(key=key)
                whole.update(entries)
                state.stored[(part, number)] = (segments, entries)
    return state


def _records(packed: object) -> dict | None:
    """A records shard as stored: each output's record as its packed bytes (pickled as
    record objects, each called its __reduce__: twice as long to save)."""
    if type(packed) is not dict or not all(type(data) is bytes for data in packed.values()):
        return None
    return {rel: OutputRecord(data) for rel, data in packed.items()}


def _same_entries(before: dict, now: dict) -> bool:
    return len(before) == len(now) and all(before.get(k) is v for k, v in now.items())


def save(path: Path, state: CacheState, laid_out: SourcesLaidOut | None = None) -> None:
    """Write the shards that changed into a new pack, then the index naming every
    shard's place, then drop the packs no index names any more. `laid_out`: the
    sources' shards worked out already (`lay_out_sources`), used while they still hold
    the same entries."""
    folder = shard_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    bounds = sources_bounds(state)
    if laid_out is not None and (
        laid_out.sources is not state.sources or laid_out.bounds != bounds
    ):
        laid_out = None
    packs = dict(state.packs)
    if state.premade is not None and state.premade.pack.finish():
        packs[state.premade.pack.name] = state.premade.pack.size
    writer = PackWriter(folder)
    existing = {p.name for p in folder.iterdir()}
    layout, stored, kept = _lay_out(state, bounds, writer, existing, laid_out)
    if kept and too_much_dead(packs, [layout[p][n] for p, n in kept], writer.size):
        for part, number in kept:  # compact: the live shards move into the new pack
            layout[part][number] = copy_segments(folder, layout[part][number], writer)
            stored[(part, number)] = (layout[part][number], stored[(part, number)][1])
    if writer.finish():
        packs[writer.name] = writer.size
    sizes = {name: packs[name] for name in _named(layout)}
    index = (MAGIC, FORMAT, state.key, state.started_ns, sizes, bounds, layout, state.deferred_at)
    write_atomically(path, pickled(index))
    state.stored = stored
    state.bounds = bounds
    state.packs = sizes
    state.premade = None  # the entries are stored: the bytes are not needed again
    remove_unnamed(folder, set(sizes))


def _lay_out(
    state: CacheState,
    bounds: tuple[str, ...],
    writer: PackWriter,
    existing: set[str],
    laid_out: SourcesLaidOut | None = None,
):
    """(segments of every shard by part, what `state.stored` becomes, the shards kept
    where they were). Shards whose entries are the very objects stored before stay in
    their packs; the others are added to `writer`."""
    layout: dict[str, list] = {}
    stored: dict = {}
    kept: list[tuple[str, int]] = []
    crcs: dict[str, int] = {}  # records and manifest share their keys: one crc each
    for part, count in SHARDS.items():
        if part == "sources":
            shards = laid_out.shards if laid_out else sources_shards(state.sources, bounds)
        else:
            shards = [{} for _ in range(count)]
            for name, value in getattr(state, part).items():
                crc = crcs.get(name)
                if crc is None:
                    crc = crcs[name] = zlib.crc32(name.encode())
                shards[crc % count][name] = value
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
                checked = laid_out.as_pickled[number] if laid_out else None
                places[number] = sources_segments(number, entries, state.premade, writer, checked)
            else:
                plain = (
                    {rel: r.pack() for rel, r in entries.items()} if part == "records" else entries
                )
                places[number] = [writer.add(pickled(plain))]
            stored[(part, number)] = (places[number], entries)
    return layout, stored, kept


def _named(layout: dict[str, list]) -> set[str]:
    return {name for shards in layout.values() for segments in shards for name, *_ in segments}
