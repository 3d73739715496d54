"""Helpers for the reader-facing tests: build once, serve a folder, a richer test site."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.build import BuildOptions, build
from tests.sitekit import PROJECT, write_site

AXE = PROJECT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SAMPLE_NOW = datetime(2019, 9, 20, 12, 0, tzinfo=AMSTERDAM)
TEST_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=AMSTERDAM)

# A site that exercises what the sample does not: summer and winter events, a date-only
# event, hostile characters in every field that reaches HTML, JSON-LD, XML or iCalendar.
TEST_SITE = """
-- content/auteurs/redactie.md --
---
title: Redactie & Co
---
Wij schrijven <b>over</b> wonen.
-- content/artikelen/zomer.md --
---
title: "Zomer </script><script>alert(1)</script> & \\"meer\\""
date: 2024-05-01
author: redactie
summary: "Een samenvatting met <tags> & tekens; komma's, en \\\\ backslash"
tags: [gemengd wonen, zomer & zon]
events: [zomerbijeenkomst, winteravond]
---
Over de [winteravond](../evenementen/winteravond.md) en het [project](../projecten/de-hof.md).
-- content/artikelen/tweede.md --
---
title: Tweede stuk
date: 2024-04-01
author: redactie
tags: [gemengd wonen]
---
Een woonvoorziening aan de rand van de stad.
-- content/projecten/de-hof.md --
---
title: De Hof
date: 2024-03-01
tags: [gemengd wonen]
project:
  city: Den Haag
  organisation: Staedion
  target_groups: [jongeren, senioren]
  homes: 48
---
Achtenveertig woningen voor jong en oud.
-- content/evenementen/zomerbijeenkomst.md --
---
title: Zomerbijeenkomst; met, tekens
start: 2024-07-04 14:00
end: 2024-07-04 17:30
location: "Stadhuis, Plein 1; Utrecht"
registration: https://aanmelden.example.nl/zomer?a=1&b=2
summary: Praten over gemengd wonen.
tags: [gemengd wonen]
---
Tekst.
-- content/evenementen/winteravond.md --
---
title: Winteravond
start: 2024-12-12 19:30
end: 2024-12-12 22:00
location: Leiden
registration: https://aanmelden.example.nl/winter
---
Tekst.
-- content/evenementen/studiedag.md --
---
title: Studiedag
start: 2024-10-01
location: Zwolle
---
Een hele dag.
-- content/evenementen/voorjaar.md --
---
title: Voorjaarsbijeenkomst
start: 2024-03-28 10:00
end: 2024-03-28 12:00
location: Delft
registration: https://aanmelden.example.nl/voorjaar
---
Al geweest.
-- content/artikelen/later.md --
---
title: Later stuk
date: 2024-06-15 09:00
---
Nog niet gepubliceerd.
"""


def build_into(source: Path, out: Path, now: datetime, **options) -> None:
    result = build(source, out, BuildOptions(now=now, **options))
    problems = "\n".join(p.format() for p in result.problems)
    assert result.ok and not result.problems, problems


def build_sample(out: Path, now: datetime = SAMPLE_NOW) -> Path:
    build_into(PROJECT, out, now)
    return out


def build_test_site(root: Path, now: datetime = TEST_NOW) -> Path:
    write_site(root, TEST_SITE)
    build_into(root, root / "build", now)
    return root / "build"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A threaded static server on a free loopback port; yields its base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
