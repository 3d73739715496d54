"""The catalogue of bad input: every mistake editors (or attackers) make, one case each.

Each case starts from a site that builds, so that `build/` exists; then breaks it and
builds again. Every case must: exit 1, print `path:line: message` with a hint on what to
do, print no traceback, and leave the previous `build/` byte for byte as it was.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.sitekit import DEFAULT_SITE_YAML, build_site, write_site

GOOD = """
-- content/auteurs/redactie.md --
---
title: Redactie
---
Wij schrijven.
-- content/artikelen/goed.md --
---
title: Goed
date: 2019-05-01
author: redactie
tags: [wonen]
---
Een goed artikel over [een project](../projecten/parana.md).
-- content/projecten/parana.md --
---
title: Parana
city: Utrecht
organisation: Portaal
---
Een project.
-- content/evenementen/dag.md --
---
title: Dag
start: 2030-10-03 13:30
registration: https://aanmelden.example.nl/dag
---
Een bijeenkomst.
"""

ART = "content/artikelen/x.md"
EVENT = "content/evenementen/e.md"
PROJECT_PAGE = "content/projecten/p.md"


@dataclass
class Case:
    """Files to write (text, or bytes when encoding matters) and the first error expected."""

    files: dict[str, str | bytes]
    prefix: str  # exact start of the error line: 'path:line: '
    hint: str  # a fragment of the advice the message must give
    remove: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


def fm(*lines: str, body: str = "Tekst.\n") -> str:
    """A source whose front matter holds `lines` (line 2 onwards of the file)."""
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\n" + body


CASES: dict[str, Case] = {
    # --- YAML syntax, with the line in the file (front matter starts on line 2) ---
    "yaml_unterminated_double_quote": Case(
        {ART: fm("title: Goed", 'summary: "niet gesloten', "tags: [a]")},
        f"{ART}:3: ",
        "aanhalingsteken",
    ),
    "yaml_unterminated_single_quote": Case(
        {ART: fm("title: 'Goed", "date: 2019-01-01")}, f"{ART}:2: ", "aanhalingsteken"
    ),
    "yaml_unclosed_flow_list": Case(
        {ART: fm("title: Goed", "tags: [a, b", "date: 2019-01-01")},
        f"{ART}:3: ",
        "wordt niet gesloten met ]",
    ),
    "yaml_tab_indentation": Case(
        {ART: fm("title: A", "project:", "\tcity: x")}, f"{ART}:4: ", "gebruik spaties"
    ),
    "yaml_duplicate_key": Case(
        {ART: fm("title: A", "date: 2019-01-01", "title: B")},
        f"{ART}:4: ",
        "houd er één over",
    ),
    "yaml_duplicate_nested_key": Case(
        {PROJECT_PAGE: fm("title: P", "project:", "  city: A", "  city: B", "organisation: X")},
        f"{PROJECT_PAGE}:5: ",
        "houd er één over",
    ),
    "yaml_bad_indentation": Case(
        {ART: fm("title: A", "tags:", "  - a", " - b")}, f"{ART}:5: ", "inspringing"
    ),
    "yaml_colon_in_value": Case(
        {ART: fm("title: Wonen: een gids")}, f"{ART}:2: ", "tussen aanhalingstekens"
    ),
    "yaml_no_closing_fence": Case(
        {ART: "---\ntitle: A\ndate: 2019-01-01\n\nTekst zonder einde.\n"},
        f"{ART}:1: ",
        "zet een regel '---'",
    ),
    "front_matter_is_a_list": Case({ART: fm("- title", "- A")}, f"{ART}:2: ", "sleutel: waarde"),
    "front_matter_is_plain_text": Case(
        {ART: fm("Dit is gewoon een zin")}, f"{ART}:2: ", "sleutel: waarde"
    ),
    "front_matter_missing": Case(
        {ART: "# Titel\n\nTekst zonder front matter.\n"}, f"{ART}:1: ", "begin het bestand"
    ),
    "empty_file": Case({ART: ""}, f"{ART}:1: ", "begin met front matter"),
    "whitespace_only_file": Case({ART: "\n  \n\n"}, f"{ART}:1: ", "begin met front matter"),
    # --- wrong types ---
    "title_missing": Case({ART: fm("date: 2019-01-01")}, f"{ART}:1: ", "voeg in de front matter"),
    "title_empty": Case({ART: fm("title: ''")}, f"{ART}:2: ", "vul een title in"),
    "title_a_list": Case({ART: fm("date: 2019-01-01", "title: [a, b]")}, f"{ART}:3: ", "tekst"),
    "title_a_mapping": Case({ART: fm("title:", "  nl: A")}, f"{ART}:2: ", "bijvoorbeeld title:"),
    "tags_a_mapping": Case(
        {ART: fm("title: A", "tags:", "  wonen: ja")}, f"{ART}:3: ", "tags: [een, twee]"
    ),
    "date_not_a_date": Case({ART: fm("title: A", "date: gisteren")}, f"{ART}:3: ", "JJJJ-MM-DD"),
    "date_month_13": Case(
        {ART: fm("title: A", "", "date: 2019-13-45")}, f"{ART}:4: ", "JJJJ-MM-DD"
    ),
    "date_a_list": Case({ART: fm("title: A", "date: [2019-01-01]")}, f"{ART}:3: ", "JJJJ-MM-DD"),
    "date_out_of_range": Case(
        {ART: fm("title: A", "date: 0001-01-01T00:30:00+05:00")}, f"{ART}:3: ", "JJJJ-MM-DD"
    ),
    "updated_invalid": Case(
        {ART: fm("title: A", "date: 2019-01-01", "updated: 2019-02-30")},
        f"{ART}:4: ",
        "JJJJ-MM-DD",
    ),
    "draft_not_boolean": Case(
        {ART: fm("title: A", "draft: misschien")}, f"{ART}:3: ", "true of false"
    ),
    "author_a_mapping": Case(
        {ART: fm("title: A", "author:", "  naam: redactie")}, f"{ART}:3: ", "een lijst van teksten"
    ),
    "taxonomy_value_a_mapping": Case(
        {PROJECT_PAGE: fm("title: P", "city:", "  naam: Utrecht", "organisation: X")},
        f"{PROJECT_PAGE}:3: ",
        "tekst of een lijst",
    ),
    # --- references ---
    "unknown_author": Case(
        {ART: fm("title: A", "author: jan")}, f"{ART}:3: ", "maak een auteurspagina aan"
    ),
    "required_key_missing": Case(
        {PROJECT_PAGE: fm("title: P", "project:", "  city: Leiden")},
        f"{PROJECT_PAGE}:1: ",
        "vul 'organisation: ...'",
    ),
    "required_key_empty": Case(
        {PROJECT_PAGE: fm("title: P", "city: Leiden", "organisation: ''")},
        f"{PROJECT_PAGE}:4: ",
        "vul 'organisation: ...'",
    ),
    "link_to_missing_md": Case(
        {ART: fm("title: A", body="\nEerst tekst.\n\nZie [B](b.md).\n")},
        f"{ART}:7: ",
        "bedoelde je 'x.md'?",
    ),
    "link_to_missing_md_elsewhere": Case(
        {ART: fm("title: A", body="Zie [C](../projecten/cartesius.md#feiten).\n")},
        f"{ART}:4: ",
        "content/projecten/cartesius.md",
    ),
    # --- events ---
    "event_without_start": Case(
        {EVENT: fm("title: E", "location: Utrecht")}, f"{EVENT}:1: ", "start: 2019-10-03 14:00"
    ),
    "event_end_before_start": Case(
        {EVENT: fm("title: E", "start: 2019-10-03 14:00", "end: 2019-10-03 12:00")},
        f"{EVENT}:4: ",
        "controleer de datum",
    ),
    "event_start_invalid": Case(
        {EVENT: fm("title: E", "start: 2019-10-03 25:00")}, f"{EVENT}:3: ", "JJJJ-MM-DD"
    ),
    "event_registration_javascript": Case(
        {EVENT: fm("title: E", "start: 2030-10-03", "registration: javascript:alert(1)")},
        f"{EVENT}:4: ",
        "https://",
    ),
    "event_registration_data_url": Case(
        {EVENT: fm("title: E", "start: 2030-10-03", "registration: ' data:text/html,<b>x</b>'")},
        f"{EVENT}:4: ",
        "https://",
    ),
    "event_registration_protocol_relative": Case(
        {EVENT: fm("title: E", "start: 2030-10-03", "registration: //evil.example/x")},
        f"{EVENT}:4: ",
        "https://",
    ),
    # --- slugs, URLs, aliases ---
    "slug_with_slash": Case({ART: fm("title: A", "slug: a/b")}, f"{ART}:3: ", "slug: a-b"),
    "slug_with_dotdot": Case(
        {ART: fm("title: A", "slug: ../../etc")}, f"{ART}:3: ", "geen / of .."
    ),
    "alias_escaping_the_site": Case(
        {ART: fm("title: A", "aliases: [../../../etc/passwd]")}, f"{ART}:3: ", "/oud/adres/"
    ),
    "two_files_one_url_by_slug": Case(
        {ART: fm("title: A", "slug: goed")}, f"{ART}:3: ", "content/artikelen/goed.md"
    ),
    "two_files_one_url_by_case": Case(
        {
            "content/artikelen/Wonen.md": fm("title: A"),
            "content/artikelen/wonen.md": fm("title: B"),
        },
        "content/artikelen/wonen.md:1: ",
        "content/artikelen/Wonen.md",
    ),
    "alias_takes_a_page_url": Case(
        {ART: fm("title: A", "aliases: [/artikelen/goed/]")},
        f"{ART}:3: ",
        "andere 'slug'",
    ),
    "page_takes_a_generated_url": Case(
        {"content/tags.md": fm("title: Tags")}, "content/tags.md:1: ", "site.yaml"
    ),
    # --- encoding ---
    "latin1_file": Case(
        {ART: "---\ntitle: A\nsummary: Caf\xe9\n---\n".encode("latin-1")},
        f"{ART}:3: ",
        "sla het op als UTF-8",
    ),
    "utf16_file": Case(
        {ART: fm("title: A").encode("utf-16")}, f"{ART}:1: ", "sla het op als UTF-8"
    ),
    # --- site.yaml ---
    "site_yaml_syntax_error": Case(
        {"site.yaml": DEFAULT_SITE_YAML.replace("title: Artikelen}", "title: Artikelen")},
        "site.yaml:6: ",
        "wordt niet gesloten met }",
    ),
    "site_yaml_duplicate_key": Case(
        {"site.yaml": DEFAULT_SITE_YAML + "title: Nog een titel\n"},
        "site.yaml:15: ",
        "houd er één over",
    ),
    "site_yaml_bad_timezone": Case(
        {"site.yaml": DEFAULT_SITE_YAML.replace("Europe/Amsterdam", "Mars/Olympus")},
        "site.yaml:4: ",
        "Europe/Amsterdam",
    ),
    "site_yaml_base_url_not_a_url": Case(
        {"site.yaml": DEFAULT_SITE_YAML.replace("https://test.example.nl/", "test.example.nl")},
        "site.yaml:2: ",
        "https://kennisbank.example.nl/",
    ),
    "site_yaml_unknown_section_kind": Case(
        {"site.yaml": DEFAULT_SITE_YAML.replace("kind: events", "kind: agenda")},
        "site.yaml:8: ",
        "kies uit",
    ),
    "site_yaml_is_a_list": Case({"site.yaml": "- title\n- base_url\n"}, "site.yaml:1: ", "sleutel"),
    # --- hostile YAML ---
    "yaml_python_tag": Case(
        {ART: fm("title: A", 'summary: !!python/object/apply:os.system ["touch {PWNED}"]')},
        f"{ART}:3: ",
        "niet toegestaan",
        extra={"pwned": True},
    ),
    "yaml_python_name_tag": Case(
        {ART: fm("title: !!python/name:os.system")}, f"{ART}:2: ", "niet toegestaan"
    ),
    "site_yaml_python_tag": Case(
        {
            "site.yaml": DEFAULT_SITE_YAML.replace(
                "language: nl", 'language: !!python/object/apply:os.system ["touch {PWNED}"]'
            )
        },
        "site.yaml:3: ",
        "niet toegestaan",
        extra={"pwned": True},
    ),
    "yaml_unknown_local_tag": Case({ART: fm("title: !geheim A")}, f"{ART}:2: ", "haal die weg"),
    "yaml_alias_bomb": Case(
        {
            ART: fm(
                "title: A",
                'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
                *(
                    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]"
                    for i in range(8)
                ),
            )
        },
        f"{ART}:4: ",
        "schrijf de waarde voluit",
    ),
    "yaml_deep_nesting": Case(
        {ART: fm("title: A", "tags: " + "[" * 20000 + "]" * 20000)},
        f"{ART}:3: ",
        "nesting depth",
    ),
    "yaml_lone_surrogate_escape": Case(
        {ART: fm('title: "\\ud800"')}, f"{ART}:2: ", "invalid Unicode character"
    ),
    "yaml_merge_key": Case(
        {ART: fm("title: A", "basis: &b {city: X}", "project:", "  <<: *b")},
        f"{ART}:3: ",
        "schrijf de waarde voluit",
    ),
    # --- files and folders ---
    "folder_not_a_section": Case(
        {"content/nieuws/a.md": fm("title: A")}, "content/nieuws:", "onder 'sections'"
    ),
    "bundle_without_index": Case(
        {"content/artikelen/map/foto.txt": "x"}, "content/artikelen/map:", "index.md"
    ),
}


def located(err: str, prefix: str) -> list[str]:
    """Report lines that start with exactly `path:line` (a column may follow) or,
    for a prefix without a line ('content/x:'), with exactly that path."""
    if prefix.endswith(": "):
        pattern = re.escape(prefix[:-2]) + r"(:\d+)?: "
    else:
        pattern = re.escape(prefix.rstrip(":")) + r": "
    return [line for line in err.splitlines() if re.match(pattern, line)]


def _snapshot(build: Path) -> dict[str, bytes]:
    return {
        p.relative_to(build).as_posix(): p.read_bytes() for p in build.rglob("*") if p.is_file()
    }


def _write(root: Path, files: dict[str, str | bytes], pwned: Path) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data.replace("{PWNED}", str(pwned)), encoding="utf-8")
        else:
            path.write_bytes(data)


def _break_and_build(tmp_path, capsys, files, remove=()):
    """Build a good site, break it, build again; returns (run, snapshot before)."""
    site = write_site(tmp_path / "site", GOOD)
    first = build_site(capsys, site)
    assert first.code == 0, first.err
    before = _snapshot(site / "build")
    _write(site, files, tmp_path / "pwned")
    for name in remove:
        (site / name).unlink()
    return site, build_site(capsys, site), before


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_reported_and_build_is_untouched(tmp_path, capsys, name):
    case = CASES[name]
    started = time.perf_counter()
    site, result, before = _break_and_build(tmp_path, capsys, case.files, case.remove)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "Error:" not in result.err
    assert located(result.err, case.prefix), f"no line starts with {case.prefix!r}:\n{result.err}"
    assert case.hint in result.err, f"hint {case.hint!r} missing:\n{result.err}"
    assert _snapshot(site / "build") == before
    assert [p.name for p in site.iterdir() if "staging" in p.name] == []
    assert not (tmp_path / "pwned").exists(), "a YAML tag executed code"
    assert time.perf_counter() - started < 10


def test_alias_bomb_is_refused_fast_and_small(tmp_path, capsys):
    """A billion-laughs document: refused before anything is expanded."""
    import resource

    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        lines.append(f"l{i}: &l{i} [{','.join(['*' + ('a' if i == 1 else f'l{i - 1}')] * 9)}]")
    site = write_site(tmp_path, "-- content/artikelen/bom.md --\n" + fm("title: Bom", *lines))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = build_site(capsys, site)
    assert time.perf_counter() - started < 5
    assert result.code == 1
    assert located(result.err, "content/artikelen/bom.md:3: ")
    assert "YAML-ankers" in result.err
    # maxrss is in KiB; the fully expanded document would need many GiB
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 100_000


def test_symlink_out_of_content_is_refused_and_never_published(tmp_path, capsys):
    secret = tmp_path / "geheim"
    secret.mkdir()
    (secret / "wachtwoord.md").write_text(fm("title: Geheim", body="GEHEIM-123\n"))
    (secret / "sleutel.txt").write_text("GEHEIM-456")
    site = write_site(tmp_path / "site", GOOD)
    assert build_site(capsys, site).code == 0
    before = _snapshot(site / "build")
    os.symlink(secret / "wachtwoord.md", site / "content/artikelen/lek.md")
    os.symlink(secret, site / "content/artikelen/map")
    os.symlink(secret / "sleutel.txt", site / "content/projecten/sleutel.txt")
    result = build_site(capsys, site)
    assert result.code == 1
    for rel in ("artikelen/lek.md", "artikelen/map", "projecten/sleutel.txt"):
        assert located(result.err, f"content/{rel}:"), result.err
    assert result.err.count("buiten content/") == 3
    assert _snapshot(site / "build") == before
    # --drafts or not, nothing outside content/ ever reaches the output
    for path in (site / "build").rglob("*"):
        if path.is_file():
            assert b"GEHEIM-" not in path.read_bytes(), path


def test_symlink_loop_in_content_is_reported(tmp_path, capsys):
    site = write_site(tmp_path, GOOD)
    os.symlink("lus.md", site / "content/artikelen/lus.md")
    result = build_site(capsys, site)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "content/artikelen/lus.md" in result.err


def test_bom_and_crlf_build_fine(tmp_path, capsys):
    site = write_site(tmp_path, GOOD)
    text = "---\r\ntitle: Met BOM\r\ndate: 2019-05-02\r\ntags: [wonen]\r\n---\r\nRegel één.\r\n"
    (site / "content/artikelen/bom.md").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (site / "site.yaml").write_bytes(
        b"\xef\xbb\xbf" + DEFAULT_SITE_YAML.replace("\n", "\r\n").encode("utf-8")
    )
    result = build_site(capsys, site)
    assert result.code == 0, result.err
    html = (site / "build/artikelen/bom/index.html").read_text(encoding="utf-8")
    assert "<h1>Met BOM</h1>" in html
    assert "Regel één." in html and "\r" not in html
    assert "\ufeff" not in html


def test_catalogue_is_big_enough():
    assert len(CASES) >= 30


def test_python_tag_payload_is_live_but_never_runs(tmp_path, capsys):
    """The payload really creates a file under an unsafe loader; our build never runs it."""
    import yaml

    pwned = tmp_path / "pwned"
    payload = f'summary: !!python/object/apply:os.system ["touch {pwned}"]\n'
    yaml.load(payload, Loader=yaml.UnsafeLoader)  # what an unsafe generator would do
    assert pwned.exists()
    pwned.unlink()
    site = write_site(
        tmp_path / "site", "-- content/artikelen/x.md --\n---\ntitle: A\n" + payload + "---\n"
    )
    result = build_site(capsys, site)
    assert result.code == 1
    assert located(result.err, "content/artikelen/x.md:3: ")
    assert "een tag als" in result.err
    assert not pwned.exists()


def test_hostile_markdown_builds_fast_and_well_formed(tmp_path, capsys):
    """Deep nesting and runs of markup characters: no recursion error, no slowdown."""
    from tests.outputcheck import check_build

    body = "> " * 3000 + "x\n\n" + "*" * 20000 + "\n\n" + "[" * 20000 + "\n\n" + "- " * 2000 + "y\n"
    site = write_site(
        tmp_path, GOOD + "-- content/artikelen/diep.md --\n" + fm("title: Diep", body=body)
    )
    started = time.perf_counter()
    result = build_site(capsys, site)
    assert result.code == 0, result.err
    assert time.perf_counter() - started < 20
    check_build(site / "build", "1337")
