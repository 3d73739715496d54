"""One test per kind of content error: exact `path:line`, exit 1, no traceback, build/ untouched."""

import re
import subprocess
import sys

import pytest

from tests.sitekit import PROJECT, build_site, run, write_site

GOOD = """
-- content/auteurs/redactie.md --
---
title: Redactie
---
-- content/artikelen/goed.md --
---
title: Goed
---
"""


_HEADER = re.compile(
    r"^(?P<path>.+?)(?::(?P<line>\d+)(?::\d+)?)?: (?:fout|waarschuwing): (?P<msg>.*)$"
)


def reported(err: str) -> list[str]:
    """The report as `path:line: problem; help` lines (the column and the quote left out;
    `path: ...` for a problem with the whole file).

    The report prints `path:line:col: fout: problem`, the quoted source, a caret,
    then `= help`; this puts problem and help back together so that each case
    asserts the exact file, line and message.
    """
    found: list[str] = []
    for line in err.splitlines():
        header = _HEADER.match(line)
        if header:
            where = f"{header['path']}:{header['line']}" if header["line"] else header["path"]
            found.append(f"{where}: {header['msg']}")
        elif found and line.lstrip().startswith("= "):
            found[-1] += "; " + line.lstrip()[2:]
    return found


def _errors(tmp_path, capsys, spec: str) -> list[str]:
    write_site(tmp_path, GOOD + spec)
    result = build_site(capsys, tmp_path)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    return reported(result.err)


CASES = {
    "yaml_unclosed_quote": (
        '-- content/artikelen/x.md --\n---\ntitle: Goed\nsummary: "niet gesloten\ntags: [a]\n---\n',
        "content/artikelen/x.md:3: ongeldige YAML",
    ),
    "yaml_bad_indent": (
        "-- content/artikelen/x.md --\n---\ntitle: A\ntags:\n  - a\n - b\n---\n",
        "content/artikelen/x.md:5: ongeldige YAML",
    ),
    "yaml_tab": (
        "-- content/artikelen/x.md --\n---\ntitle: A\nproject:\n\tcity: x\n---\n",
        "content/artikelen/x.md:4: ongeldige YAML: er staat een tab",
    ),
    "title_missing": (
        "-- content/artikelen/x.md --\n---\ndate: 2019-01-01\n---\nTekst\n",
        "content/artikelen/x.md:1: 'title' ontbreekt",
    ),
    "title_a_list": (
        "-- content/artikelen/x.md --\n---\ndate: 2019-01-01\ntitle: [a, b]\n---\n",
        "content/artikelen/x.md:3: 'title' moet tekst zijn",
    ),
    "date_invalid": (
        "-- content/artikelen/x.md --\n---\ntitle: A\n\ndate: 2019-13-45\n---\n",
        "content/artikelen/x.md:4: 'date' is geen geldige datum ('2019-13-45')",
    ),
    "unknown_author": (
        "-- content/artikelen/x.md --\n---\ntitle: A\ndate: 2019-01-01\nauthor: jan\n---\n",
        "content/artikelen/x.md:4: onbekende auteur 'jan'; bekende auteurs: redactie",
    ),
    "required_key_missing": (
        "-- content/projecten/p.md --\n---\ntitle: P\nproject:\n  city: Leiden\n---\n",
        "content/projecten/p.md:1: sectie 'projecten' vraagt 'organisation'",
    ),
    "link_to_missing_md": (
        "-- content/artikelen/x.md --\n---\ntitle: A\n---\n\nEerst tekst.\n\nZie [B](b.md).\n",
        "content/artikelen/x.md:7: de link 'b.md' wijst naar content/artikelen/b.md, maar dat bestand bestaat niet",
    ),
    "link_to_missing_md_after_reference_definitions": (
        "-- content/artikelen/x.md --\n---\ntitle: A\n---\n[een]: https://example.org/1\n"
        "[twee]: https://example.org/2\nTekst met [een] en\nzie [B](b.md).\n",
        "content/artikelen/x.md:7: de link 'b.md' wijst naar content/artikelen/b.md, maar dat bestand bestaat niet",
    ),
    "two_pages_one_url": (
        "-- content/artikelen/x.md --\n---\ntitle: A\nslug: goed\n---\n",
        "content/artikelen/x.md:3: het adres /artikelen/goed/ is al in gebruik door content/artikelen/goed.md",
    ),
    "event_without_start": (
        "-- content/evenementen/e.md --\n---\ntitle: E\nlocation: Utrecht\n---\n",
        "content/evenementen/e.md:1: een evenement heeft een 'start' nodig",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_error_names_file_and_line(tmp_path, capsys, name):
    spec, expected = CASES[name]
    errors = _errors(tmp_path, capsys, spec)
    assert any(line.startswith(expected) for line in errors), errors


def test_site_yaml_error_names_its_line(tmp_path, capsys):
    write_site(
        tmp_path,
        GOOD + "-- site.yaml --\ntitle: X\nbase_url: https://x.nl/\ntimezone: Mars/Olympus\n",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert any(
        line.startswith("site.yaml:3: onbekende tijdzone 'Mars/Olympus'")
        for line in reported(result.err)
    )


def test_all_errors_are_reported_in_one_run(tmp_path, capsys):
    errors = _errors(
        tmp_path,
        capsys,
        CASES["date_invalid"][0] + CASES["unknown_author"][0].replace("x.md", "y.md"),
    )
    assert len(errors) == 2


def test_failed_build_leaves_previous_build_untouched(tmp_path, capsys):
    write_site(tmp_path, GOOD)
    assert build_site(capsys, tmp_path).code == 0
    before = {
        p.relative_to(tmp_path): p.read_bytes()
        for p in (tmp_path / "build").rglob("*")
        if p.is_file()
    }
    (tmp_path / "content/artikelen/goed.md").write_text(
        "---\ntitle: [kapot\n---\n", encoding="utf-8"
    )
    assert build_site(capsys, tmp_path).code == 1
    after = {
        p.relative_to(tmp_path): p.read_bytes()
        for p in (tmp_path / "build").rglob("*")
        if p.is_file()
    }
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_template_error_names_template_and_line(tmp_path, capsys):
    write_site(tmp_path, GOOD, templates=False)
    import shutil

    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    page = tmp_path / "templates/page.html"
    page.write_text(page.read_text().replace("{{ page.title }}</h1>", "{{ page.titel }}</h1>"))
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert "templates/page.html:" in result.err and "titel" in result.err


def test_command_line_errors_print_no_traceback(tmp_path):
    write_site(tmp_path, GOOD + CASES["date_invalid"][0])
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--source", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    assert proc.returncode == 1
    assert "content/artikelen/x.md:4:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_usage_exits_2(capsys):
    assert run(capsys, "build", "--now", "gisteren").code == 2
    assert run(capsys, "bouw").code == 2


def test_check_validates_without_writing(tmp_path, capsys):
    write_site(tmp_path, GOOD + CASES["unknown_author"][0])
    result = run(capsys, "check", "--source", str(tmp_path))
    assert result.code == 1
    assert any(
        line.startswith("content/artikelen/x.md:4: onbekende auteur")
        for line in reported(result.err)
    )
    assert not (tmp_path / "build").exists()
    (tmp_path / "content/artikelen/x.md").unlink()
    assert run(capsys, "check", "--source", str(tmp_path)).code == 0
    assert not (tmp_path / "build").exists()
