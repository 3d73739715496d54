"""Vocabulary governance from site.yaml: synonyms, closed lists, near-duplicate terms."""

from generator.vocabulary import loose_key
from tests.sitekit import DEFAULT_SITE_YAML, build_site, read, run, write_site
from tests.test_errors import reported


def _site_yaml(tags_spec: str) -> str:
    return "-- site.yaml --\n" + DEFAULT_SITE_YAML.replace(
        "  tags:          {path: tags, title: Onderwerpen}\n", tags_spec
    )


SYNONYMS = _site_yaml(
    """  tags:
    path: tags
    title: Onderwerpen
    synonyms:
      daklozen: [dak- en thuislozen, Thuislozen]
"""
)


def test_synonyms_fold_into_one_term_page_with_a_redirect(tmp_path, capsys):
    write_site(
        tmp_path,
        SYNONYMS
        + """
-- content/artikelen/a.md --
---
title: Artikel A
date: 2019-01-02
tags: [daklozen]
---
-- content/artikelen/b.md --
---
title: Artikel B
date: 2019-01-01
tags: [Dak- en thuislozen]
---
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 0, result.err
    assert result.err == ""  # folded terms are no near-duplicates
    term = read(tmp_path, "tags/daklozen/index.html")
    assert "Artikel A" in term and "Artikel B" in term
    redirect = read(tmp_path, "tags/dak-en-thuislozen/index.html")
    assert 'http-equiv="refresh" content="0; url=/tags/daklozen/"' in redirect
    # Every synonym's address leads to the term, also one no page has used (yet).
    assert "url=/tags/daklozen/" in read(tmp_path, "tags/thuislozen/index.html")
    index = read(tmp_path, "tags/index.html")
    assert "/tags/daklozen/" in index and "/tags/dak-en-thuislozen/" not in index
    page_b = read(tmp_path, "artikelen/b/index.html")
    assert 'href="/tags/daklozen/"' in page_b


def test_closed_value_list_rejects_other_values_with_a_suggestion(tmp_path, capsys):
    write_site(
        tmp_path,
        _site_yaml(
            """  tags:
    path: tags
    values: [wonen, zorg, daklozen]
    synonyms: {daklozen: [thuislozen]}
"""
        )
        + """
-- content/artikelen/a.md --
---
title: A
tags: [Wonen, thuislozen]
---
-- content/artikelen/b.md --
---
title: B
date: 2019-01-01
tags: [wonen, zorgg, iets heel anders]
---
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "content/artikelen/b.md:4: 'zorgg' staat niet in de vaste lijst van 'tags'; "
        "bedoelde je 'zorg'?",
        "content/artikelen/b.md:4: 'iets heel anders' staat niet in de vaste lijst van 'tags'; "
        "kies uit: wonen, zorg, daklozen",
    ]
    assert "4 | tags: [wonen, zorgg, iets heel anders]\n  |               ^^^^^" in result.err


def test_near_duplicate_terms_warn_at_the_rarer_spelling(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
tags: [woningen, JavaScript]
---
-- content/artikelen/b.md --
---
title: B
tags: [woning]
---
-- content/artikelen/c.md --
---
title: C
tags: [woning, javascript, ex-daklozen]
---
-- content/artikelen/d.md --
---
title: D

tags: [woning, javascript, exdaklozen]
---
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 0  # warnings do not stop the build
    assert reported(result.err) == [
        "content/artikelen/a.md:3: 'woningen' in 'tags' lijkt op 'woning' "
        "(content/artikelen/b.md:3); kies één schrijfwijze, of leg het vast met 'synonyms' "
        "in site.yaml",
        "content/artikelen/a.md:3: 'JavaScript' in 'tags' lijkt op 'javascript' "
        "(content/artikelen/c.md:3); kies één schrijfwijze, of leg het vast met 'synonyms' "
        "in site.yaml",
        "content/artikelen/d.md:4: 'exdaklozen' in 'tags' lijkt op 'ex-daklozen' "
        "(content/artikelen/c.md:3); kies één schrijfwijze, of leg het vast met 'synonyms' "
        "in site.yaml",
    ]
    assert run(capsys, "check", "--source", str(tmp_path), "--strict").code == 1


def test_loose_key_joins_dutch_plurals_and_spelling_variants():
    assert loose_key("woning") == loose_key("woningen") == loose_key("Woningen")
    assert loose_key("bewoner") == loose_key("bewoners")
    assert loose_key("auto") != loose_key("autos") or loose_key("auto's") == loose_key("autos")
    assert loose_key("Café") == loose_key("cafe")
    assert loose_key("dak- en thuislozen") == loose_key("dak en thuislozen")
    assert loose_key("zorg") != loose_key("wonen")


def test_bad_vocabulary_in_site_yaml_names_its_line(tmp_path, capsys):
    write_site(
        tmp_path,
        _site_yaml(
            """  tags:
    path: tags
    values: wonen
    synonyms:
      daklozen: [thuislozen]
      zwervers: [thuislozen, daklozen]
"""
        ).replace("  city:          {path: steden, title: Steden}\n", "  city: {synonyms: [a]}\n")
        + "-- content/artikelen/a.md --\n---\ntitle: A\n---\n",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "site.yaml:15: de hoofdterm 'daklozen' staat niet in 'values' van 'tags'; "
        "voeg hem toe aan 'values' of kies een hoofdterm uit die lijst",
        "site.yaml:16: 'daklozen' staat als synoniem onder 'zwervers', maar is zelf een "
        "hoofdterm; kies: synoniem of hoofdterm",
        "site.yaml:16: 'thuislozen' staat als synoniem onder 'zwervers' en onder 'daklozen'; "
        "houd het bij één hoofdterm",
        "site.yaml:17: 'synonyms' van taxonomie 'city' moet de vorm 'hoofdterm: [synoniem, ...]' "
        "hebben; bijvoorbeeld synonyms: {daklozen: [dak- en thuislozen]}",
    ]


def test_a_value_in_a_block_list_is_reported_on_its_own_line(tmp_path, capsys):
    write_site(
        tmp_path,
        _site_yaml("  tags:\n    values: [wonen, zorg]\n")
        + """
-- content/artikelen/a.md --
---
title: A
tags:
  - wonen
  - zorgen
---
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert "content/artikelen/a.md:5:5: fout: 'zorgen' staat niet in de vaste lijst" in result.err
    assert "5 |   - zorgen\n  |     ^^^^^^" in result.err


def test_misspelt_vocabulary_key_in_site_yaml_is_an_error_with_a_suggestion(tmp_path, capsys):
    write_site(
        tmp_path,
        _site_yaml("  tags:\n    path: tags\n    synonym: {daklozen: [thuislozen]}\n")
        + "-- content/artikelen/a.md --\n---\ntitle: A\n---\n",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "site.yaml:13: onbekende sleutel 'synonym' in een taxonomie; bedoelde je 'synonyms'?"
    ]
