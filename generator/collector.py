"""Python's cycle collector, held back while a build runs.

A build makes hundreds of thousands of objects that live to its end (parsed pages,
rendered Markdown, dependency records) and next to no garbage in cycles: rendering
10,000 pages leaves a few dozen such objects. Yet the collector walked the young
objects again each time 20,000 more had been made: 12% of a render worker's time
and half a second of the parent's, finding nothing. Refcounting frees the rest.

So while a build runs, the collector runs only when containers have grown by
`START_LIMIT` since its last run (a theme whose templates do leave cycles), and the
limit doubles each time a run finds little to free.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Net new containers before a collection during a build. A cold 10,000-page build
# grows by well under this in any one process, so it normally never collects.
START_LIMIT = 2_000_000

_limit = START_LIMIT


@contextmanager
def held_back() -> Iterator[None]:
    """No automatic collections inside; the collector is as before afterwards."""
    global _limit
    was_enabled = gc.isenabled()
    gc.disable()
    _limit = START_LIMIT
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collect_if_grown() -> int:
    """Collect once containers grew past the limit, while held back; objects found."""
    global _limit
    if gc.isenabled():
        return 0  # the collector runs by itself
    grown = gc.get_count()[0]
    if grown < _limit:
        return 0
    found = gc.collect(0)  # everything made since the last run is still generation 0
    if found < grown // 4:
        _limit *= 2
    return found
