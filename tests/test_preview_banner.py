"""The preview marks what a deploy would not show: drafts and pages dated in the future."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from generator.build import build
from generator.serve import make_rebuild, preview_options
from tests.sitekit import build_site, read, write_site

SITE = """
-- content/artikelen/klaar.md --
---
title: Klaar
date: 2020-01-01
---
Gepubliceerd.
-- content/artikelen/concept.md --
---
title: Concept
date: 2020-01-01
draft: true
---
Nog niet af.
-- content/artikelen/later.md --
---
title: Later
date: 2030-07-01
---
Straks.
"""


def _page(out: Path, slug: str) -> str:
    return (out / "artikelen" / slug / "index.html").read_text(encoding="utf-8")


def test_preview_marks_drafts_and_future_pages(tmp_path):
    root = write_site(tmp_path / "site", SITE)
    out = root / ".preview"
    options = preview_options("127.0.0.1", 8000, datetime(2024, 6, 1, 12, 0))
    result = build(root, out, options)
    assert result.ok, result.problems
    assert 'class="preview-banner"' in _page(out, "concept")
    assert "<strong>Concept</strong>" in _page(out, "concept")
    assert "Gepland: verschijnt op maandag 1 juli 2030" in _page(out, "later")
    assert "preview-banner" not in _page(out, "klaar")
    assert not (root / "build").exists()  # the preview never writes the deploy folder


def test_a_build_with_drafts_and_future_for_deploy_has_no_preview_banner(tmp_path, capsys):
    root = write_site(tmp_path, SITE)
    assert build_site(capsys, root, "--drafts", "--future").code == 0
    assert "preview-banner" not in read(root, "artikelen/concept/index.html")
    assert "preview-banner" not in read(root, "artikelen/later/index.html")


def test_the_banner_does_not_make_every_page_render_again_as_the_clock_moves(tmp_path):
    spec = "".join(
        f"-- content/artikelen/a{n}.md --\n---\ntitle: A{n}\ndate: 2020-01-0{n + 1}\n---\nTekst.\n"
        for n in range(6)
    )
    root = write_site(tmp_path / "site", spec)
    rebuild = make_rebuild(root, root / ".preview", preview_options("127.0.0.1", 8000))
    first = rebuild(None)  # no fixed `now`: the clock moves between builds
    assert first.ok and first.rendered > 10
    (root / "content/artikelen/a3.md").write_text(
        "---\ntitle: A3\ndate: 2020-01-04\n---\nAnders.\n", encoding="utf-8"
    )
    second = rebuild({"content/artikelen/a3.md"})
    assert second.ok and "artikelen/a3/index.html" in second.changed
    assert second.rendered <= 5, second.rendered  # the page and the lists showing its summary
