"""The persistent build cache in `.cache/` (never in the output).

What the previous build learned, per output folder: parsed pages and rendered
Markdown by source file, dependency records by output, and the manifest of the
output. It is keyed by the generator's code, the configuration and the build
options; anything else, a damaged file or a foreign one, is discarded.
Unpickling is restricted to our own data classes, so a planted cache file
cannot run code.

The state is kept in shards (a source or output always lands in the same one)
named by an index file, so that a rebuild after one edit pickles and writes only
the shards whose entries changed, not the whole site. Shards are written under
new names before the index is replaced, so a build stopped halfway leaves the
previous index and its shards intact.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import secrets
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import generator
from generator.parallel import map_chunks

CACHE_DIR = ".cache/kennisbank"
FORMAT = 2
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
    """How a pickled time zone comes back (instead of ZoneInfo's own reducer)."""
    return ZoneInfo(key)


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[ZoneInfo] = lambda value: (zone, (value.key,))


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
class CacheState:
    key: tuple = ()
    sources: dict = field(default_factory=dict)  # source -> loading.SourceEntry
    records: dict = field(default_factory=dict)  # output path -> deps.OutputRecord
    manifest: dict = field(default_factory=dict)  # output path -> output.FileState
    started_ns: int = 0  # wall clock when the build that made this state began
    # (part, shard) -> (file name, size, the entries as stored): a shard whose entries
    # are still the same objects need not be written again.
    stored: dict = field(default_factory=dict, repr=False, compare=False)


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


def _shard_of(key: str, count: int) -> int:
    return zlib.crc32(key.encode()) % count


def _unpickle(data: bytes):
    return _SafeUnpickler(io.BytesIO(data)).load()


def _pickled(value) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def load(path: Path, key: tuple) -> CacheState:
    """The cached state for `key`, or an empty one when absent, damaged or foreign."""
    try:
        return _load(path, key)
    except Exception:  # damaged or foreign: start clean, never trust it
        return CacheState(key=key)


def _load(path: Path, key: tuple) -> CacheState:
    magic, form, stored_key, started_ns, parts = _unpickle(path.read_bytes())
    if magic != MAGIC or form != FORMAT or stored_key != key or parts.keys() != SHARDS.keys():
        return CacheState(key=key)
    state = CacheState(key=key, started_ns=int(started_ns))
    folder = _shard_folder(path)
    for part, shards in parts.items():
        if len(shards) != SHARDS[part]:
            return CacheState(key=key)
        whole = getattr(state, part)
        for number, (name, size) in enumerate(shards):
            data = (folder / name).read_bytes()
            entries = _unpickle(data) if len(data) == size else None
            if type(entries) is not dict:
                return CacheState(key=key)
            whole.update(entries)
            state.stored[(part, number)] = (name, size, entries)
    return state


def _same_entries(before: dict, now: dict) -> bool:
    return len(before) == len(now) and all(before.get(k) is v for k, v in now.items())


def save(path: Path, state: CacheState, workers: int = 1) -> None:
    """Write the shards that changed (spread over `workers` processes when most did,
    as after a cold build), then the index naming all of them, then drop the shards
    no index names any more."""
    folder = _shard_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    layout: list[tuple[str, int, dict, tuple[str, int] | None]] = []
    for part, count in SHARDS.items():
        shards: list[dict] = [{} for _ in range(count)]
        for name, value in getattr(state, part).items():
            shards[_shard_of(name, count)][name] = value
        for number, entries in enumerate(shards):
            before = state.stored.get((part, number))
            kept = None
            if before and _same_entries(before[2], entries) and (folder / before[0]).exists():
                kept = (before[0], before[1])
            layout.append((part, number, entries, kept))
    dirty = [i for i, (_part, _number, _entries, kept) in enumerate(layout) if kept is None]

    def write_range(indexes: range) -> list[tuple[str, int]]:
        written = []
        for i in indexes:
            part, number, entries, _kept = layout[dirty[i]]
            data = _pickled(entries)
            name = f"{part}-{number}-{secrets.token_hex(8)}.pickle"
            _write_atomically(folder / name, data)
            written.append((name, len(data)))
        return written

    written = dict(zip(dirty, map_chunks(write_range, len(dirty), workers), strict=True))
    parts: dict[str, list[tuple[str, int]]] = {part: [] for part in SHARDS}
    stored = {}
    for i, (part, number, entries, kept) in enumerate(layout):
        name, size = kept or written[i]
        parts[part].append((name, size))
        stored[(part, number)] = (name, size, entries)
    _write_atomically(path, _pickled((MAGIC, FORMAT, state.key, state.started_ns, parts)))
    state.stored = stored
    named = {name for shards in parts.values() for name, _size in shards}
    for leftover in folder.iterdir():
        if leftover.name not in named and not leftover.name.startswith("."):
            leftover.unlink(missing_ok=True)
