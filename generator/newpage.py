"""`new <section> "Titel"`: a draft page with the front matter its section needs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from generator.archetypes import render_archetype
from generator.config import load_config
from generator.content import CONTENT_DIR
from generator.errors import Problem
from generator.suggest import closest
from generator.urls import slugify


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_text(title: str, today: date, kind: str, required: tuple[str, ...]) -> str:
    lines = ["---", f"title: {_yaml_text(title)}", f"date: {today.isoformat()}", "draft: true"]
    if kind == "events":
        start = today + timedelta(days=14)
        lines += [
            f"start: {start.isoformat()} 14:00  # datum en tijd van het begin",
            f"end: {start.isoformat()} 17:00",
            "location:  # plaats en adres",
            "registration:  # https://... (aanmeldpagina)",
        ]
    for key in required:
        lines.append(f"{key}:  # verplicht in deze sectie: vul in")
    lines += ["summary:  # één of twee zinnen voor lijsten en zoekmachines", "tags: []", "---", ""]
    lines += ["Schrijf hier de tekst.", ""]
    return "\n".join(lines)


def create_page(
    root: Path, section: str, title: str, today: date
) -> tuple[Path | None, Problem | None]:
    config, problems = load_config(root)
    if config is None:
        return None, problems[0]
    if section not in config.sections:
        known = ", ".join(config.sections)
        guess = closest(section, config.sections)
        hint = f"bedoelde je '{guess}'? Bekende secties: {known}" if guess else f"kies uit: {known}"
        return None, Problem("site.yaml", 0, f"onbekende sectie '{section}'; {hint}")
    slug = slugify(title)
    if not slug:
        return None, Problem(
            "site.yaml", 0, f"uit de titel '{title}' valt geen bestandsnaam te maken"
        )
    spec = config.sections[section]
    target = root / CONTENT_DIR / section / f"{slug}.md"
    if target.exists() or (root / CONTENT_DIR / section / slug / "index.md").exists():
        return None, Problem(
            target.relative_to(root).as_posix(),
            0,
            "dit bestand bestaat al en wordt niet overschreven; kies een andere titel",
        )
    text, problem = render_archetype(
        root, spec, title, slug, today, page_text(title, today, spec.kind, spec.required)
    )
    if problem:
        return None, problem
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # 'x': never overwrite, even when the file appeared since the check above.
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return None, Problem(
            target.relative_to(root).as_posix(),
            0,
            "dit bestand bestaat al en wordt niet overschreven; kies een andere titel",
        )
    return target, None
