"""End-to-end: tiny sites written inline, built, asserted on the files produced."""

from tests.sitekit import build_site, read, write_site

AUTHOR = """
-- content/auteurs/redactie.md --
---
title: Redactie GemeentenNL
---
Wij schrijven.
"""

FIRST_ARTICLE = """
-- content/artikelen/eerste-stuk.md --
---
title: Eerste stuk
date: 2019-09-12
tags: [wonen]
---
Hallo.
"""


def test_url_layout_for_sections_top_level_pages_and_lists(tmp_path, capsys):
    write_site(
        tmp_path,
        AUTHOR
        + FIRST_ARTICLE
        + """
-- content/over.md --
---
title: Over ons
---
Wie wij zijn.
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 0, result.err
    assert "<h1>Eerste stuk</h1>" in read(tmp_path, "artikelen/eerste-stuk/index.html")
    assert "<h1>Over ons</h1>" in read(tmp_path, "over/index.html")
    assert "Eerste stuk" in read(tmp_path, "artikelen/index.html")
    assert "Eerste stuk" in read(tmp_path, "index.html")
    assert (tmp_path / "build/404.html").is_file()
    assert '<html lang="nl">' in read(tmp_path, "index.html")
    assert (tmp_path / "build/css/site.css").is_file()


def test_slug_from_accented_file_name_and_from_front_matter(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/Café de Straat.md --
---
title: Café
---
x
-- content/artikelen/iets.md --
---
title: Iets
slug: een-eigen-adres
---
y
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    assert (tmp_path / "build/artikelen/cafe-de-straat/index.html").is_file()
    assert (tmp_path / "build/artikelen/een-eigen-adres/index.html").is_file()
    assert not (tmp_path / "build/artikelen/iets").exists()


def test_terms_merge_by_case_and_slug_and_count_on_the_index(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
date: 2019-01-01
tags: [Gemengd wonen, dé kans]
---
-- content/artikelen/b.md --
---
title: B
date: 2019-02-01
tags: [gemengd wonen, de kans]
---
-- content/artikelen/c.md --
---
title: C
date: 2019-03-01
tags: [gemengd  Wonen]
---
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    term = read(tmp_path, "tags/gemengd-wonen/index.html")
    # newest first
    assert term.index(">C<") < term.index(">B<") < term.index(">A<")
    assert (tmp_path / "build/tags/de-kans/index.html").is_file()
    assert sorted(p.name for p in (tmp_path / "build/tags").iterdir() if p.is_dir()) == [
        "de-kans",
        "gemengd-wonen",
    ]
    index = read(tmp_path, "tags/index.html")
    assert "(3)" in index and "(2)" in index


def test_nested_taxonomy_keys_count_and_satisfy_required(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/projecten/parana.md --
---
title: Parana
project:
  city: Utrecht
  organisation: Portaal
  target_groups: [ex-daklozen, huurders]
---
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 0, result.err
    assert "Parana" in read(tmp_path, "steden/utrecht/index.html")
    assert "Parana" in read(tmp_path, "organisaties/portaal/index.html")
    assert "Parana" in read(tmp_path, "doelgroepen/ex-daklozen/index.html")
    assert 'href="/steden/utrecht/"' in read(tmp_path, "projecten/parana/index.html")


def test_term_text_from_markdown_file(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
tags: [Gemengd wonen]
---
-- content/tags/gemengd-wonen.md --
---
title: Over gemengd wonen
---
Kwetsbare en andere huurders **samen**.
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    page = read(tmp_path, "tags/gemengd-wonen/index.html")
    assert "<strong>samen</strong>" in page
    assert "Over gemengd wonen" in page


def test_term_pages_are_paginated(tmp_path, capsys):
    pages = "".join(
        f"-- content/artikelen/a{i:02d}.md --\n---\ntitle: Stuk {i:02d}\ndate: 2019-01-{i + 1:02d}\n"
        "tags: [wonen]\n---\n"
        for i in range(25)
    )
    write_site(tmp_path, pages)
    assert build_site(capsys, tmp_path).code == 0
    first = read(tmp_path, "tags/wonen/index.html")
    second = read(tmp_path, "tags/wonen/pagina/2/index.html")
    assert "Stuk 24" in first and "Stuk 00" not in first
    assert "Stuk 00" in second and 'href="/tags/wonen/pagina/2/"' in first


DRAFT_AND_FUTURE = """
-- content/artikelen/klaar.md --
---
title: Klaar
date: 2020-01-01
---
-- content/artikelen/concept.md --
---
title: Concept
date: 2020-01-01
draft: true
tags: [geheim]
---
-- content/artikelen/later.md --
---
title: Later
date: 2030-01-01
---
"""


def test_drafts_and_future_pages_are_not_published_by_default(tmp_path, capsys):
    write_site(tmp_path, DRAFT_AND_FUTURE)
    assert build_site(capsys, tmp_path).code == 0
    assert (tmp_path / "build/artikelen/klaar/index.html").is_file()
    assert not (tmp_path / "build/artikelen/concept").exists()
    assert not (tmp_path / "build/artikelen/later").exists()
    assert not (tmp_path / "build/tags/geheim").exists()
    assert "Concept" not in read(tmp_path, "index.html")
    assert "Later" not in read(tmp_path, "sitemap.xml")


def test_a_link_to_a_draft_or_future_page_is_a_warning_naming_why(tmp_path, capsys):
    from tests.test_errors import reported

    links = """
-- content/artikelen/wijzer.md --
---
title: Wijzer
---
Zie [het concept](concept.md), [later](later.md) en [klaar](klaar.md).
"""
    write_site(tmp_path, DRAFT_AND_FUTURE + links)
    result = build_site(capsys, tmp_path)
    assert result.code == 0  # warnings only
    assert reported(result.err) == [
        "content/artikelen/wijzer.md:4: de link 'concept.md' wijst naar "
        "content/artikelen/concept.md, dat een concept (draft) is; "
        "de link werkt pas als die pagina gepubliceerd is",
        "content/artikelen/wijzer.md:4: de link 'later.md' wijst naar "
        "content/artikelen/later.md, dat nog niet gepubliceerd (datum in de toekomst) is; "
        "de link werkt pas als die pagina gepubliceerd is",
    ]
    # Published, the same links are fine.
    assert reported(build_site(capsys, tmp_path, "--drafts", "--future").err) == []


def test_drafts_and_future_flags_publish_them(tmp_path, capsys):
    write_site(tmp_path, DRAFT_AND_FUTURE)
    assert build_site(capsys, tmp_path, "--drafts").code == 0
    assert (tmp_path / "build/artikelen/concept/index.html").is_file()
    assert not (tmp_path / "build/artikelen/later").exists()
    assert build_site(capsys, tmp_path, "--future").code == 0
    assert (tmp_path / "build/artikelen/later/index.html").is_file()
    assert not (tmp_path / "build/artikelen/concept").exists()


def test_now_decides_what_is_future(tmp_path, capsys):
    write_site(tmp_path, DRAFT_AND_FUTURE)
    result = build_site(capsys, tmp_path, "--now", "2031-01-01")
    assert result.code == 0
    assert (tmp_path / "build/artikelen/later/index.html").is_file()


def test_page_bundle_copies_its_files_beside_the_html(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/projecten/avicenna/index.md --
---
title: Avicenna
city: Leiden
organisation: Portaal
---
![Plattegrond](plattegrond.svg) en [de brochure](docs/brochure.txt).
-- content/projecten/avicenna/plattegrond.svg --
<svg xmlns="http://www.w3.org/2000/svg"/>
-- content/projecten/avicenna/docs/brochure.txt --
brochure
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 0, result.err
    assert (tmp_path / "build/projecten/avicenna/index.html").is_file()
    assert (tmp_path / "build/projecten/avicenna/plattegrond.svg").is_file()
    assert read(tmp_path, "projecten/avicenna/docs/brochure.txt") == "brochure\n"
    assert 'src="plattegrond.svg"' in read(tmp_path, "projecten/avicenna/index.html")


def test_links_to_markdown_sources_become_page_urls(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
---
Zie [Parana](../projecten/parana/index.md#doel), [B](b.md) en [over](../over.md).
-- content/artikelen/b.md --
---
title: B
slug: bee
---
-- content/over.md --
---
title: Over
---
Terug naar [A](artikelen/a.md).
-- content/projecten/parana/index.md --
---
title: Parana
city: Utrecht
organisation: Portaal
---
## Doel
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    html = read(tmp_path, "artikelen/a/index.html")
    assert 'href="/projecten/parana/#doel"' in html
    assert 'href="/artikelen/bee/"' in html
    assert 'href="/over/"' in html
    assert 'href="/artikelen/a/"' in read(tmp_path, "over/index.html")


EVENTS = """
-- content/evenementen/voorbij.md --
---
title: Voorbij
start: 2024-05-01 10:00
registration: https://example.org/voorbij
---
-- content/evenementen/oud.md --
---
title: Oud
start: 2023-01-01 10:00
---
-- content/evenementen/bezig.md --
---
title: Bezig
start: 2024-06-01 09:00
end: 2024-06-01 17:00
registration: https://example.org/bezig
---
-- content/evenementen/straks.md --
---
title: Straks
start: 2024-07-01 10:00
registration: https://example.org/straks
---
-- content/evenementen/snel.md --
---
title: Snel
start: 2024-06-02
---
"""


def _order(html: str, *titles: str) -> list[int]:
    return [html.index(f">{t}<") for t in titles]


def test_events_upcoming_soonest_first_then_past_latest_first(tmp_path, capsys):
    write_site(tmp_path, EVENTS)
    assert build_site(capsys, tmp_path).code == 0  # now = 2024-06-01 12:00
    html = read(tmp_path, "evenementen/index.html")
    upcoming, past = html.split('data-events="past"')
    assert _order(upcoming, "Bezig", "Snel", "Straks") == sorted(
        _order(upcoming, "Bezig", "Snel", "Straks")
    )
    assert _order(past, "Voorbij", "Oud") == sorted(_order(past, "Voorbij", "Oud"))
    assert "Voorbij" not in upcoming and "Straks" not in past
    # registration links only on upcoming events
    assert "example.org/straks" in upcoming and "example.org/bezig" in upcoming
    assert "example.org/voorbij" not in html
    assert "example.org/voorbij" not in read(tmp_path, "evenementen/voorbij/index.html")
    assert "example.org/straks" in read(tmp_path, "evenementen/straks/index.html")


def test_events_move_to_past_when_now_moves(tmp_path, capsys):
    write_site(tmp_path, EVENTS)
    assert build_site(capsys, tmp_path, "--now", "2024-06-15T12:00").code == 0
    upcoming, past = read(tmp_path, "evenementen/index.html").split('data-events="past"')
    assert "Straks" in upcoming
    assert all(t in past for t in (">Bezig<", ">Snel<", ">Voorbij<"))


def test_event_times_use_site_time_zone_and_dutch_dates(tmp_path, capsys):
    write_site(tmp_path, EVENTS)
    assert build_site(capsys, tmp_path).code == 0
    html = read(tmp_path, "evenementen/straks/index.html")
    assert "maandag 1 juli 2024" in html
    assert 'datetime="2024-07-01T10:00:00+02:00"' in html
    ics = read(tmp_path, "evenementen/straks/event.ics")
    assert "DTSTART;TZID=Europe/Amsterdam:20240701T100000" in ics


def test_author_pages_list_their_pages(tmp_path, capsys):
    write_site(
        tmp_path,
        AUTHOR
        + """
-- content/artikelen/a.md --
---
title: Stuk van de redactie
date: 2019-01-01
author: redactie
---
-- content/artikelen/b.md --
---
title: Stuk van niemand
date: 2019-01-01
---
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    html = read(tmp_path, "auteurs/redactie/index.html")
    assert "Alle berichten van Redactie GemeentenNL" in html
    assert "Stuk van de redactie" in html and "Stuk van niemand" not in html
    article = read(tmp_path, "artikelen/a/index.html")
    assert 'href="/auteurs/redactie/"' in article
    assert "Redactie GemeentenNL" in read(tmp_path, "auteurs/index.html")


def test_aliases_write_redirect_pages(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
aliases: [/oud/adres/, 2019/a.html]
---
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    for rel in ("oud/adres/index.html", "2019/a.html"):
        html = read(tmp_path, rel)
        assert 'http-equiv="refresh" content="0; url=/artikelen/a/"' in html
        assert 'rel="canonical" href="https://test.example.nl/artikelen/a/"' in html


def test_dates_are_written_in_dutch(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
date: 2019-03-12
---
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    assert "dinsdag 12 maart 2019" in read(tmp_path, "artikelen/a/index.html")
    assert "12 maart 2019" in read(tmp_path, "artikelen/index.html")


def test_unchanged_files_keep_their_mtime_and_stale_ones_are_pruned(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
---
-- content/artikelen/b.md --
---
title: B
---
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    a_page = tmp_path / "build/artikelen/a/index.html"
    before = a_page.stat()
    (tmp_path / "content/artikelen/b.md").unlink()
    assert build_site(capsys, tmp_path).code == 0
    after = a_page.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert not (tmp_path / "build/artikelen/b").exists()
    assert (
        "B" not in read(tmp_path, "artikelen/index.html").split("<main", 1)[1].split("</main>")[0]
    )


def test_sample_site_builds_cleanly(capsys):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        from tests.sitekit import run

        result = run(
            capsys, "build", "--source", str(root), "--out", out, "--now", "2019-09-20T12:00"
        )
        assert result.code == 0, result.err
        assert result.err == ""
        html = (Path(out) / "evenementen/index.html").read_text(encoding="utf-8")
        assert "aanmelden.example.nl" in html
        assert "Parana" in (Path(out) / "steden/utrecht/index.html").read_text(encoding="utf-8")
        assert "donderdag 3 oktober 2019" in html


def test_a_second_build_in_one_process_follows_a_new_base_url(tmp_path, capsys):
    """Templates are compiled once per process, and Jinja works out a filter on a fixed
    text while compiling (`'/css/site.css' | url`): the compiled code is kept per
    configuration, or a second build with another base_url (the same templates) kept
    the first one's links."""
    write_site(tmp_path, AUTHOR + FIRST_ARTICLE)
    assert build_site(capsys, tmp_path).code == 0
    assert 'href="/css/site.css"' in read(tmp_path, "artikelen/eerste-stuk/index.html")
    result = build_site(capsys, tmp_path, "--base-url", "https://voorbeeld.nl/kb")
    assert result.code == 0, result.err
    page = read(tmp_path, "artikelen/eerste-stuk/index.html")
    assert 'href="/kb/css/site.css"' in page
    assert 'href="/kb/feed.xml"' in page


def test_a_base_url_with_a_path_prefixes_every_link_and_absolute_address(tmp_path, capsys):
    """A site published under https://voorbeeld.nl/kb/: links inside it start with /kb/,
    addresses for other sites (og:url, feeds) are whole."""
    write_site(
        tmp_path,
        AUTHOR + FIRST_ARTICLE,
    )
    result = build_site(capsys, tmp_path, "--base-url", "https://voorbeeld.nl/kb")
    assert result.code == 0, result.err
    page = read(tmp_path, "artikelen/eerste-stuk/index.html")
    assert 'href="/kb/tags/wonen/"' in page
    assert 'href="/tags/wonen/"' not in page
    assert (
        '<meta property="og:url" content="https://voorbeeld.nl/kb/artikelen/eerste-stuk/">' in page
    )
    assert "https://voorbeeld.nl/kb/artikelen/eerste-stuk/" in read(tmp_path, "sitemap.xml")
