"""The heap keeps what it grew (generator/heap.py): memory freed and taken again costs
no new page faults."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.sitekit import fresh_python

# Allocates 40 MB in 8 kB pieces (glibc's heap, not Python's small-object arenas),
# frees them all, then allocates them again: the page faults of the second round.
PROBE = """
import resource, sys
from generator.heap import keep_heap_grown
kept = keep_heap_grown() if sys.argv[1] == "keep" else False
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
pieces = [bytearray(8192) for _ in range(5000)]
del pieces
before = faults()
pieces = [bytearray(8192) for _ in range(5000)]
print(kept, faults() - before)
"""


def _second_round_faults(mode: str) -> tuple[bool, int]:
    kept, faults = fresh_python(PROBE, mode).split()
    return kept == "True", int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_memory_freed_and_taken_again_is_not_faulted_in_again():
    kept, kept_faults = _second_round_faults("keep")
    if not kept:
        pytest.skip("this C library has no M_TOP_PAD (not glibc)")
    _, default_faults = _second_round_faults("default")
    # 40 MB is about 10,000 pages: faulted in again by default, kept with the pad.
    assert default_faults > 5000, default_faults
    assert kept_faults < 500, kept_faults


def test_the_command_line_sets_it_before_building():
    # Read, not imported: importing it runs the command line.
    source = Path(importlib.util.find_spec("generator.__main__").origin).read_text("utf-8")
    assert source.index("keep_heap_grown()") < source.index("main(process_ends=True)")
