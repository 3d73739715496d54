"""Error reports as an editor reads them, compared with golden files.

The golden files in tests/golden/ are the exact text: the quoted line, the caret
column, the suggestion, the GitHub annotation and the JSON form. After a
deliberate change in wording, regenerate them with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_reports.py` and review the diff.
"""

import json
import os
import re
from pathlib import Path

import pytest

from generator.cli import _colour
from generator.errors import Problem
from generator.report import entries, format_github, render
from tests.sitekit import DEFAULT_SITE_YAML, run, write_site
from tests.test_errors import CASES, GOOD

GOLDEN = Path(__file__).parent / "golden"

BROKEN = """
-- content/auteurs/jan-de-vries.md --
---
title: Jan de Vries
---
-- content/projecten/parana.md --
---
title: Parana
city: Utrecht
organisation: Portaal
---
## Doel
-- content/artikelen/datum.md --
---
title: Een datum
date: 2019-13-45
---
-- content/artikelen/auteur.md --
---
title: Een auteur
date: 2019-03-01
author: jan-de-vris
sumary: Een samenvatting met een tikfout in de sleutel.
---
Zie ook [Parana](../projecten/parano.md) en [het doel](../projecten/parana.md#doell).
-- content/artikelen/yaml.md --
---
title: Gemengd wonen
summary: "niet gesloten
---
"""


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} ontbreekt; maak hem met UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def _site(tmp_path, language="nl"):
    site_yaml = DEFAULT_SITE_YAML.replace("language: nl", f"language: {language}")
    return write_site(tmp_path, BROKEN + f"-- site.yaml --\n{site_yaml}")


def test_text_report_in_dutch(tmp_path, capsys):
    root = _site(tmp_path)
    result = run(capsys, "check", "--source", str(root), "--now", "2024-06-01T12:00")
    assert result.code == 1
    assert result.out == ""
    _golden("report_nl.txt", result.err)


def test_text_report_in_english(tmp_path, capsys):
    root = _site(tmp_path, language="en")
    result = run(capsys, "check", "--source", str(root), "--now", "2024-06-01T12:00")
    assert result.code == 1
    _golden("report_en.txt", result.err)


def test_github_annotations(tmp_path, capsys):
    root = _site(tmp_path)
    result = run(
        capsys, "check", "--source", str(root), "--now", "2024-06-01T12:00", "--format", "github"
    )
    assert result.code == 1
    _golden("report_github.txt", result.out)


def test_json_report(tmp_path, capsys):
    root = _site(tmp_path)
    result = run(
        capsys, "check", "--source", str(root), "--now", "2024-06-01T12:00", "--format", "json"
    )
    assert result.code == 1
    listed = json.loads(result.out)
    assert {p["code"] for p in listed["problems"]} >= {"bad-date", "unknown-author-suggest"}
    _golden("report.json", result.out)


def test_github_escapes_percent_and_newlines_and_property_separators():
    problem = Problem("content/a,b.md", 3, "100% fout\r\nregel twee; doe iets", column=2)
    out = format_github(entries([problem], None, "nl"))
    assert (
        out == "::error file=content/a%2Cb.md,line=3,col=2::100%25 fout%0D%0Aregel twee; doe iets\n"
    )


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    class Terminal:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _colour(Terminal()) and not _colour(Pipe())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _colour(Terminal())
    problem = [Problem("x.md", 0, "kapot; repareer")]
    assert "\x1b[1;31m" in render(problem, None, "nl", "text", colour=True)
    assert "\x1b[" not in render(problem, None, "nl", "text", colour=False)


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_warnings_exit_0_and_strict_makes_them_errors(tmp_path, capsys, fmt):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
sumary: tikfout
---
""",
    )
    args = ("build", "--source", str(tmp_path), "--now", "2024-06-01T12:00", "--format", fmt)
    loose = run(capsys, *args)
    assert loose.code == 0
    assert "sumary" in (loose.err if fmt == "text" else loose.out)
    assert (tmp_path / "build/artikelen/a/index.html").is_file()
    (tmp_path / "content/artikelen/b.md").write_text("---\ntitle: B\n---\n", encoding="utf-8")
    strict = run(capsys, *args, "--strict")
    assert strict.code == 1
    assert not (tmp_path / "build/artikelen/b").exists()  # the failed build wrote nothing
    if fmt == "github":
        assert strict.out.startswith("::error file=content/artikelen/a.md,line=3,col=1::")
    if fmt == "json":
        assert json.loads(strict.out)["problems"][0]["severity"] == "error"


def test_every_catalogue_message_is_recognised_and_has_english():
    from generator.i18n import CATALOG, recognise, text

    for code, (dutch, english) in CATALOG.items():
        names = set(re.findall(r"(?<!\{)\{(\w+)\}", dutch))
        assert names == set(re.findall(r"(?<!\{)\{(\w+)\}", english)), code
        message = text(code, **{name: f"<{name}>" for name in names})
        assert recognise(message) == (code, {name: f"<{name}>" for name in names}), code


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_common_errors_have_a_code_and_english_words(tmp_path, capsys, name):
    spec, _expected = CASES[name]
    site_yaml = DEFAULT_SITE_YAML.replace("language: nl", "language: en")
    write_site(tmp_path, GOOD + spec + f"-- site.yaml --\n{site_yaml}")
    result = run(
        capsys, "check", "--source", str(tmp_path), "--now", "2024-06-01T12:00", "--format", "json"
    )
    problems = json.loads(result.out)["problems"]
    assert problems and all(p["code"] != "other" for p in problems), problems


@pytest.mark.parametrize(
    ("site_yaml", "language"),
    [
        ("title: T\nlanguage: en\n", "en"),
        ("# een opmerking\ntitle: T\nsections: {a: {title: A}}\nlanguage: en\n", "en"),
        ("title: T\nlanguage: en\ntitle: Twee keer\n", "en"),  # refused by the build, not here
        ("title: T\n", "nl"),
        ("language: [en]\n", "nl"),
        ("title: 'niet gesloten\n", "nl"),
        ("- een lijst\n", "nl"),
    ],
)
def test_the_report_speaks_the_language_site_yaml_names(tmp_path, site_yaml, language):
    from generator.report import site_language

    (tmp_path / "site.yaml").write_text(site_yaml, encoding="utf-8")
    assert site_language(tmp_path) == language
    assert site_language(tmp_path / "weg") == "nl"
