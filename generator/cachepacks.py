"""The build cache's files: shards stored as byte ranges of a few pack files.

A save writes every shard that changed into one new pack file (a cold build's
sources have a pack of their own, written as its workers pickle them), so a cold
build creates two files instead of hundreds: on a well-filled ext4 disk a new file
costs up to a millisecond to create, a third of the save. A shard is a list of
segments, (pack file, offset, length). A pack is deleted once no shard names it;
when the packs hold more dead bytes than live ones, the live shards are copied
into the new pack, so the cache never grows past twice its contents.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

Segment = tuple[str, int, int]  # pack file name, offset, length
T = TypeVar("T")

# Rewrite the live shards into the new pack once the packs are this much bigger than
# what they hold.
DEAD_LIMIT = 2.0


def pickled(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def shard_folder(index: Path) -> Path:
    """Where the pack files of the cache index `index` are."""
    return index.with_suffix(".shards")


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@contextmanager
def open_packs(folder: Path, sizes: dict[str, int]) -> Iterator[dict[str, BinaryIO]]:
    """Every pack, opened; a missing or resized one raises (the cache is then dropped)."""
    with ExitStack() as stack:
        packs = {}
        for name, size in sizes.items():
            file = stack.enter_context(open(folder / name, "rb"))
            if os.fstat(file.fileno()).st_size != size:
                raise ValueError(f"pack {name} is not the size its index says")
            packs[name] = file
        yield packs


def read_segment(packs: dict[str, BinaryIO], segment: Segment, load: Callable[[BinaryIO], T]) -> T:
    """`load(file)` from the segment's start, which must read the segment exactly.

    Read through the open file, a frame at a time: a whole pack read at once took a
    fresh 120 MB buffer at 10,000 pages, and touching its pages cost 50 ms."""
    name, offset, length = segment
    file = packs[name]
    file.seek(offset)
    value = load(file)
    if file.tell() != offset + length:
        raise ValueError(f"a segment of pack {name} does not end where its index says")
    return value


class PackWriter:
    """One new pack file, written as its segments are added. Until `finish` names it a
    pack it is a temporary file, which a build stopped halfway leaves for a later save
    to remove (see remove_unnamed); segments name the pack it will be."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.name = f"pack-{os.urandom(8).hex()}.bin"
        self.size = 0
        self._file: BinaryIO | None = None
        self._finished = False

    def add(self, data: bytes | memoryview) -> Segment:
        if self._finished:
            raise ValueError(f"pack {self.name} is finished")
        if self._file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._file = open(self._temporary(), "wb")  # noqa: SIM115 - kept open across adds
        self._file.write(data)
        segment = (self.name, self.size, len(data))
        self.size += len(data)
        return segment

    def finish(self) -> int:
        """Names the pack (nothing when no segment was added); its size."""
        if self._file is not None and not self._finished:
            self._file.close()
            os.replace(self._temporary(), self.folder / self.name)
        self._finished = True
        return self.size

    def discard(self) -> None:
        """Drop what was added, as if nothing had been: no pack, no temporary file."""
        if self._file is not None and not self._finished:
            self._file.close()
            self._temporary().unlink(missing_ok=True)
        self._finished = True

    def _temporary(self) -> Path:
        return self.folder / f".{self.name}.{os.getpid()}.tmp"


def too_much_dead(sizes: dict[str, int], kept: list[list[Segment]], new_bytes: int) -> bool:
    """Whether the packs that kept shards live in, plus the new one, would hold more
    than DEAD_LIMIT times the bytes still used."""
    used = new_bytes + sum(length for segments in kept for _name, _offset, length in segments)
    named = {name for segments in kept for name, _offset, _length in segments}
    total = new_bytes + sum(sizes[name] for name in named)
    return total > DEAD_LIMIT * max(used, 1)


def copy_segments(folder: Path, segments: list[Segment], writer: PackWriter) -> list[Segment]:
    """The segments copied from their packs into the new one (a compaction)."""
    copied = []
    for name, offset, length in segments:
        with open(folder / name, "rb") as file:
            file.seek(offset)
            data = file.read(length)
        if len(data) != length:
            raise ValueError(f"pack {name} is shorter than its index says")
        copied.append(writer.add(data))
    return copied


def remove_unnamed(folder: Path, named: set[str]) -> None:
    """Drop the packs no index names, and temporary files whose writer is gone (a save
    stopped halfway: a pack's may be 100 MB)."""
    for leftover in folder.iterdir():
        name = leftover.name
        if (name in named or name.startswith(".")) and not _abandoned(name):
            continue
        leftover.unlink(missing_ok=True)


def _abandoned(name: str) -> bool:
    """A temporary file (`.<name>.<pid>.tmp`) of a process that no longer runs."""
    parts = name.split(".")
    if not name.startswith(".") or len(parts) < 4 or parts[-1] != "tmp":
        return False
    if not parts[-2].isdigit() or int(parts[-2]) == os.getpid():
        return False
    try:
        os.kill(int(parts[-2]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False
