"""The persistent build cache in `.cache/` (never in the output).

One file per output folder holds what the previous build learned: parsed pages
and rendered Markdown by source file, dependency records by output, and the
manifest of the output. It is keyed by the generator's code, the configuration
and the build options; anything else, a damaged file or a foreign one, is
discarded. Unpickling is restricted to our own data classes, so a planted
cache file cannot run code.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import generator

CACHE_DIR = ".cache/kennisbank"
FORMAT = 1
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


def load(path: Path, key: tuple) -> CacheState:
    """The cached state for `key`, or an empty one when absent, damaged or foreign."""
    try:
        data = path.read_bytes()
        state = _SafeUnpickler(io.BytesIO(data)).load()
    except Exception:  # damaged or foreign: start clean, never trust it
        return CacheState(key=key)
    if not isinstance(state, CacheState) or state.key != key:
        return CacheState(key=key)
    return state


def save(path: Path, state: CacheState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _DISPATCH
        pickler.dump(state)
    os.replace(temporary, path)
