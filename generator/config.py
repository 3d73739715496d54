"""site.yaml -> SiteConfig, validated, every problem with its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import xxhash

from generator.errors import Problem
from generator.frontmatter import normalise_text
from generator.vocabulary_config import read_vocabulary
from generator.yamlload import LoadedYaml, load_mapping

CONFIG_FILE = "site.yaml"
SECTION_KINDS = ("pages", "events", "authors")
RESERVED_PATHS = frozenset({"pagina", "static", "css", "js", "zoeken"})


@dataclass(frozen=True, slots=True)
class SectionConfig:
    name: str
    title: str
    kind: str = "pages"
    required: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TaxonomyConfig:
    key: str  # the front-matter key
    path: str  # URL path segment
    title: str
    # (synonym, main term): the synonym folds into the main term (vocabulary.py)
    synonyms: tuple[tuple[str, str], ...] = ()
    values: tuple[str, ...] = ()  # a closed list; empty: any value is allowed


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    base_url: str
    language: str = "nl"
    timezone: str = "Europe/Amsterdam"
    description: str = ""
    sections: dict[str, SectionConfig] = field(default_factory=dict)
    taxonomies: dict[str, TaxonomyConfig] = field(default_factory=dict)
    per_page: int = 20
    home_articles: int = 10
    home_events: int = 3
    fingerprint: str = ""  # hash of the file, for caches

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def section_of_kind(self, kind: str) -> SectionConfig | None:
        return next((s for s in self.sections.values() if s.kind == kind), None)

    def taxonomy_by_path(self, path: str) -> TaxonomyConfig | None:
        return next((t for t in self.taxonomies.values() if t.path == path), None)


def load_config(root: Path) -> tuple[SiteConfig | None, list[Problem]]:
    path = root / CONFIG_FILE
    if not path.is_file():
        return None, [
            Problem(
                CONFIG_FILE,
                0,
                f"geen {CONFIG_FILE} gevonden in {root}; "
                "start in de map van de site of geef --source MAP",
            )
        ]
    raw = path.read_bytes()
    text, problem = normalise_text(raw, CONFIG_FILE)
    if problem:
        return None, [problem]
    loaded = load_mapping(text, CONFIG_FILE, first_line=1, what="site.yaml")
    if loaded.problems:
        return None, loaded.problems
    return _validate(loaded, xxhash.xxh3_128_hexdigest(raw))


def _text(loaded: LoadedYaml, key: str, problems: list[Problem], default: str | None = None) -> str:
    value = loaded.data.get(key, default)
    if value is None:
        problems.append(
            Problem(CONFIG_FILE, 1, f"'{key}' ontbreekt; voeg een regel '{key}: ...' toe")
        )
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(
            Problem(CONFIG_FILE, loaded.line_of(key, default=1), f"'{key}' moet tekst zijn")
        )
        return ""
    return value.strip()


def _validate(loaded: LoadedYaml, fingerprint: str) -> tuple[SiteConfig | None, list[Problem]]:
    problems: list[Problem] = []
    title = _text(loaded, "title", problems)
    base_url = _text(loaded, "base_url", problems)
    if base_url and not base_url.startswith(("http://", "https://")):
        problems.append(
            Problem(
                CONFIG_FILE,
                loaded.line_of("base_url"),
                "'base_url' moet een volledig adres zijn, zoals https://kennisbank.example.nl/",
            )
        )
    language = _text(loaded, "language", problems, default="nl")
    timezone = _text(loaded, "timezone", problems, default="Europe/Amsterdam")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(
                CONFIG_FILE,
                loaded.line_of("timezone", default=1),
                f"onbekende tijdzone '{timezone}'; gebruik een naam als Europe/Amsterdam",
            )
        )
    sections = _sections(loaded, problems)
    taxonomies = _taxonomies(loaded, problems, sections)
    per_page = loaded.data.get("per_page", 20)
    if not isinstance(per_page, int) or isinstance(per_page, bool) or per_page < 1:
        problems.append(
            Problem(
                CONFIG_FILE, loaded.line_of("per_page"), "'per_page' moet een getal vanaf 1 zijn"
            )
        )
        per_page = 20
    if problems:
        return None, problems
    return (
        SiteConfig(
            title=title,
            base_url=base_url.rstrip("/") + "/",
            language=language,
            timezone=timezone,
            description=str(loaded.data.get("description") or ""),
            sections=sections,
            taxonomies=taxonomies,
            per_page=per_page,
            fingerprint=fingerprint,
        ),
        [],
    )


def _sections(loaded: LoadedYaml, problems: list[Problem]) -> dict[str, SectionConfig]:
    raw = loaded.data.get("sections") or {}
    line = loaded.line_of("sections", default=1)
    if not isinstance(raw, dict):
        problems.append(
            Problem(CONFIG_FILE, line, "'sections' moet een lijst 'naam: {title: ...}' zijn")
        )
        return {}
    sections: dict[str, SectionConfig] = {}
    for name, spec in raw.items():
        here = loaded.line_of("sections", str(name), default=line)
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            problems.append(
                Problem(CONFIG_FILE, here, f"sectie '{name}' moet '{{title: ...}}' zijn")
            )
            continue
        kind = spec.get("kind", "pages")
        if kind not in SECTION_KINDS:
            problems.append(
                Problem(
                    CONFIG_FILE,
                    here,
                    f"sectie '{name}' heeft onbekend kind '{kind}'; "
                    f"kies uit {', '.join(SECTION_KINDS)}",
                )
            )
            continue
        required = spec.get("required", [])
        if not isinstance(required, list) or not all(isinstance(k, str) for k in required):
            problems.append(
                Problem(
                    CONFIG_FILE, here, f"'required' van sectie '{name}' moet een lijst namen zijn"
                )
            )
            continue
        title = spec.get("title", str(name).capitalize())
        sections[str(name)] = SectionConfig(str(name), str(title), kind, tuple(required))
    for kind in ("events", "authors"):
        of_kind = [s.name for s in sections.values() if s.kind == kind]
        if len(of_kind) > 1:
            problems.append(
                Problem(
                    CONFIG_FILE, line, f"er mag één sectie met kind '{kind}' zijn, niet {of_kind}"
                )
            )
    return sections


def _taxonomies(
    loaded: LoadedYaml, problems: list[Problem], sections: dict[str, SectionConfig]
) -> dict[str, TaxonomyConfig]:
    raw = loaded.data.get("taxonomies") or {}
    line = loaded.line_of("taxonomies", default=1)
    if not isinstance(raw, dict):
        problems.append(Problem(CONFIG_FILE, line, "'taxonomies' moet 'sleutel: {path: ...}' zijn"))
        return {}
    taxonomies: dict[str, TaxonomyConfig] = {}
    for key, spec in raw.items():
        here = loaded.line_of("taxonomies", str(key), default=line)
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            problems.append(
                Problem(CONFIG_FILE, here, f"taxonomie '{key}' moet '{{path: ...}}' zijn")
            )
            continue
        path = str(spec.get("path", key)).strip("/")
        if path in sections or path in RESERVED_PATHS or "/" in path or not path:
            problems.append(
                Problem(
                    CONFIG_FILE,
                    here,
                    f"taxonomie '{key}' heeft pad '{path}', dat al gebruikt wordt of niet mag; "
                    "kies een ander 'path'",
                )
            )
            continue
        title = spec.get("title", str(key).capitalize())
        synonyms, values, vocab_problems = read_vocabulary(loaded, str(key), spec)
        problems.extend(vocab_problems)
        taxonomies[str(key)] = TaxonomyConfig(str(key), path, str(title), synonyms, values)
    return taxonomies
