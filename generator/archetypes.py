"""Archetypes: what `new <section> "Titel"` writes, per section.

`templates/archetypes/<section>.md` (else `templates/archetypes/default.md`)
is a Jinja template for the new file. It sees:

    title      the title as given        slug     the file name, from the title
    date       today, 2019-10-03         section  the section's name
    start      today + 14 days, for events
    required   the section's required keys

and a filter `yaml` that writes a value safely quoted (`title: {{ title | yaml }}`).
Whatever the archetype forgets, the result still gets: `draft: true` and every
required key of the section (empty, so that a draft warns until it is filled in).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jinja2

from generator.config import SectionConfig
from generator.errors import Problem
from generator.frontmatter import parse_document
from generator.pages import lookup

ARCHETYPE_DIR = "templates/archetypes"


def _yaml(value: object) -> str:
    # JSON strings are valid YAML scalars, with every quote and backslash escaped.
    return json.dumps(str(value), ensure_ascii=False)


def find_archetype(root: Path, section: str) -> Path | None:
    for name in (f"{section}.md", "default.md"):
        path = root / ARCHETYPE_DIR / name
        if path.is_file():
            return path
    return None


def render_archetype(
    root: Path, spec: SectionConfig, title: str, slug: str, today: date, fallback: str
) -> tuple[str | None, Problem | None]:
    """The text of the new page; `fallback` when the site has no archetype."""
    path = find_archetype(root, spec.name)
    if path is None:
        return _complete(fallback, spec), None
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    env.filters["yaml"] = _yaml
    rel = path.relative_to(root).as_posix()
    try:
        template = env.from_string(path.read_text(encoding="utf-8"))
        text = template.render(
            title=title,
            slug=slug,
            date=today.isoformat(),
            start=(today + timedelta(days=14)).isoformat(),
            section=spec.name,
            required=list(spec.required),
        )
    except jinja2.TemplateError as error:
        line = getattr(error, "lineno", 0) or 0
        return None, Problem(rel, line, f"fout in template: {error}")
    except (OSError, UnicodeDecodeError) as error:
        return None, Problem(rel, 0, f"kan het bestand niet lezen ({error})")
    return _complete(text, spec), None


def _complete(text: str, spec: SectionConfig) -> str:
    """Add `draft: true` and missing required keys just above the closing fence."""
    doc = parse_document(text, "archetype")
    if doc.problems:
        return text  # the check of the new page will name the archetype's mistake
    extra = []
    if "draft" not in doc.meta:
        extra.append("draft: true")
    for key in spec.required:
        if lookup(doc.meta, key) is None:
            extra.append(f"{key}:  # verplicht in deze sectie: vul in")
    if not extra:
        return text
    lines = text.split("\n")
    closing = doc.body_line - 2  # 0-based index of the closing '---'
    return "\n".join(lines[:closing] + extra + lines[closing:])
