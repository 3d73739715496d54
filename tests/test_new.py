"""`new <section> "Titel"` from the section's archetype; never overwrites."""

import shutil
from datetime import date

from tests.sitekit import PROJECT, run, write_site
from tests.test_errors import reported

AUTHOR = """
-- content/auteurs/redactie-gemeentennl.md --
---
title: Redactie
---
"""


def _own_templates(root):
    """A copy of the project's templates (archetypes included) the test may change."""
    write_site(root, AUTHOR, templates=False)
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copytree(PROJECT / "static", root / "static")
    return root


def test_new_fills_the_section_archetype(tmp_path, capsys):
    _own_templates(tmp_path)
    result = run(capsys, "new", "projecten", 'Het "Nieuwe" Huis', "--source", str(tmp_path))
    assert result.code == 0, result.err
    made = tmp_path / "content/projecten/het-nieuwe-huis.md"
    text = made.read_text(encoding="utf-8")
    today = date.today().isoformat()
    assert text.startswith(
        f'---\ntitle: "Het \\"Nieuwe\\" Huis"\ndate: {today}\ndraft: true\nslug: het-nieuwe-huis\n'
    )
    assert "project:\n  city:" in text and "  organisation:" in text and "## Doel" in text
    # As a draft it only warns about the required keys still to fill in.
    check = run(capsys, "check", "--source", str(tmp_path), "--drafts")
    assert check.code == 0, check.err
    found = reported(check.err)
    assert len(found) == 2
    assert found[0].startswith(
        "content/projecten/het-nieuwe-huis.md:10: sectie 'projecten' vraagt 'city'"
    )
    assert found[1].startswith(
        "content/projecten/het-nieuwe-huis.md:11: sectie 'projecten' vraagt 'organisation'"
    )


def test_new_event_gets_a_start_and_every_archetype_builds(tmp_path, capsys):
    _own_templates(tmp_path)
    for section, title in [
        ("artikelen", "Wonen en zorg"),
        ("evenementen", "Vierde bijeenkomst"),
        ("auteurs", "Anna de Boer"),
    ]:
        assert run(capsys, "new", section, title, "--source", str(tmp_path)).code == 0
    event = (tmp_path / "content/evenementen/vierde-bijeenkomst.md").read_text()
    assert "\nstart: " in event and "14:00" in event
    check = run(capsys, "check", "--source", str(tmp_path), "--drafts")
    assert check.code == 0, check.err
    assert check.err == ""


def test_new_refuses_to_overwrite(tmp_path, capsys):
    _own_templates(tmp_path)
    assert run(capsys, "new", "artikelen", "Wonen", "--source", str(tmp_path)).code == 0
    page = tmp_path / "content/artikelen/wonen.md"
    page.write_text("---\ntitle: Mijn werk\n---\nNiet weggooien.\n", encoding="utf-8")
    again = run(capsys, "new", "artikelen", "Wonen", "--source", str(tmp_path))
    assert again.code == 1
    assert reported(again.err) == [
        "content/artikelen/wonen.md: dit bestand bestaat al en wordt niet overschreven; "
        "kies een andere titel"
    ]
    assert page.read_text(encoding="utf-8").endswith("Niet weggooien.\n")


def test_archetype_missing_required_keys_and_draft_are_added(tmp_path, capsys):
    _own_templates(tmp_path)
    (tmp_path / "templates/archetypes/projecten.md").write_text(
        "---\ntitle: {{ title | yaml }}\n---\nTekst over {{ title }}.\n", encoding="utf-8"
    )
    assert run(capsys, "new", "projecten", "Kort", "--source", str(tmp_path)).code == 0
    text = (tmp_path / "content/projecten/kort.md").read_text(encoding="utf-8")
    assert text == (
        '---\ntitle: "Kort"\ndraft: true\n'
        "city:  # verplicht in deze sectie: vul in\n"
        "organisation:  # verplicht in deze sectie: vul in\n"
        "---\nTekst over Kort.\n"
    )


def test_without_archetype_a_plain_draft_is_written(tmp_path, capsys):
    write_site(tmp_path, AUTHOR, templates=False)
    assert run(capsys, "new", "artikelen", "Zonder sjabloon", "--source", str(tmp_path)).code == 0
    text = (tmp_path / "content/artikelen/zonder-sjabloon.md").read_text(encoding="utf-8")
    assert 'title: "Zonder sjabloon"' in text and "draft: true" in text


def test_unknown_section_gets_a_suggestion(tmp_path, capsys):
    _own_templates(tmp_path)
    result = run(capsys, "new", "artikel", "X", "--source", str(tmp_path))
    assert result.code == 2
    assert "onbekende sectie 'artikel'" in result.err
    assert "= bedoelde je 'artikelen'?" in result.err
    assert not (tmp_path / "content/artikel").exists()
