"""Did you mean: front-matter keys, authors, section folders, .md link targets."""

import os
import time

from generator.suggest import closest, closest_key, closest_path
from tests.sitekit import build_site, write_site
from tests.test_errors import reported

KNOWN = ["title", "date", "summary", "tags", "author", "draft", "slug", "city"]


def test_closest_key_catches_typos_and_dutch_names_but_not_own_keys():
    assert closest_key("sumary", KNOWN) == "summary"
    assert closest_key("tag", KNOWN) == "tags"
    assert closest_key("auteur", KNOWN) == "author"
    assert closest_key("Titel", KNOWN) == "title"
    assert closest_key("homes_for_helpers", KNOWN) is None
    assert closest_key("project", KNOWN) is None
    assert closest("jan-de-vris", ["jan-de-vries", "redactie"]) == "jan-de-vries"
    sources = ["content/projecten/parana.md", "content/artikelen/wonen.md"]
    assert closest_path("content/projecten/parano.md", sources) == sources[0]
    assert closest_path("content/artikelen/parana.md", sources) == sources[0]
    assert closest_path("content/artikelen/iets.md", sources) is None


def test_unknown_keys_close_to_known_ones_warn_with_the_suggestion(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/projecten/p.md --
---
title: P
sumary: Kort
tag: [wonen]
auteur: redactie
homes_for_helpers: 8
project:
  city: Utrecht
  organisaton: Portaal
  organisation: Portaal
---
""",
    )
    long_ago = time.time() - 600  # not "racy": a rebuild trusts the cache for it
    os.utime(tmp_path / "content/projecten/p.md", (long_ago, long_ago))
    result = build_site(capsys, tmp_path)
    assert result.code == 0, result.err
    assert reported(result.err) == [
        "content/projecten/p.md:3: onbekende sleutel 'sumary' wordt genegeerd; "
        "bedoelde je 'summary'?",
        "content/projecten/p.md:4: onbekende sleutel 'tag' wordt genegeerd; bedoelde je 'tags'?",
        "content/projecten/p.md:5: onbekende sleutel 'auteur' wordt genegeerd; "
        "bedoelde je 'author'?",
        "content/projecten/p.md:9: onbekende sleutel 'organisaton' wordt genegeerd; "
        "bedoelde je 'organisation'?",
    ]
    assert "9 |   organisaton: Portaal\n  |   ^^^^^^^^^^^" in result.err
    # The warnings are found as the page is parsed and kept with it in the cache: a
    # rebuild that parses nothing says them again, and one for another site.yaml
    # (a taxonomy `tag`: that key is known now) looks anew.
    again = build_site(capsys, tmp_path)
    assert reported(again.err) == reported(result.err)
    config = tmp_path / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "  tag: {path: tag, title: Tag}\n", encoding="utf-8"
    )
    retagged = build_site(capsys, tmp_path)
    assert [line for line in reported(retagged.err) if "'tag'" in line] == []
    assert len(reported(retagged.err)) == 3


def test_unknown_section_folder_gets_the_close_section(tmp_path, capsys):
    write_site(tmp_path, "-- content/projekten/p.md --\n---\ntitle: P\n---\n")
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "content/projekten: de map 'projekten' is geen sectie uit site.yaml; "
        "bedoelde je 'projecten'? Hernoem de map, of voeg 'projekten: {title: ...}' toe "
        "onder 'sections'"
    ]


def test_missing_md_link_on_a_later_line_of_a_paragraph_gets_its_line_and_a_suggestion(
    tmp_path, capsys
):
    write_site(
        tmp_path,
        """
-- content/projecten/avicenna.md --
---
title: Avicenna
city: Leiden
organisation: Portaal
---
-- content/artikelen/a.md --
---
title: A
---
Een alinea die
over drie regels loopt, met
een link naar [Avicenna](../projecten/avicena.md) erin.
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "content/artikelen/a.md:6: de link '../projecten/avicena.md' wijst naar "
        "content/projecten/avicena.md, maar dat bestand bestaat niet; "
        "bedoelde je '../projecten/avicenna.md'?"
    ]
    assert "content/artikelen/a.md:6:26: fout:" in result.err
