"""Front matter -> a validated Page; every problem with the line of its key."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from generator.config import SiteConfig
from generator.content import PageSource
from generator.dates import parse_moment
from generator.errors import Problem
from generator.frontmatter import SourceDocument
from generator.model import EventInfo, Moment, Page
from generator.urls import normalise_alias, page_url, slugify

DATE_HINT = "schrijf JJJJ-MM-DD, bijvoorbeeld 2019-10-03, of met tijd: 2019-10-03 14:00"
KIND_OF_SECTION = {"pages": "page", "events": "event", "authors": "author"}


def lookup(meta: dict, key: str) -> tuple[object, tuple[str, ...]] | None:
    """A key at the top level or nested one level deep (`project: {city: x}`)."""
    if key in meta:
        return meta[key], (key,)
    for outer, value in meta.items():
        if isinstance(value, dict) and key in value:
            return value[key], (str(outer), key)
    return None


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _Checker:
    """Collects problems for one document while reading its fields."""

    def __init__(self, doc: SourceDocument, zone: ZoneInfo):
        self.doc = doc
        self.zone = zone
        self.problems: list[Problem] = []

    def fail(self, keys: tuple[str, ...], message: str) -> None:
        self.problems.append(Problem(self.doc.path, self.doc.line_of(*keys), message))

    def text(self, key: str, required: bool = False) -> str:
        value = self.doc.meta.get(key)
        if value is None:
            if required:
                self.fail(
                    (key,),
                    f"'{key}' ontbreekt; voeg in de front matter een regel '{key}: ...' toe",
                )
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(
                (key,),
                f"'{key}' moet tekst zijn, geen lijst of sleutels; bijvoorbeeld {key}: Mijn titel",
            )
            return ""
        text = str(value).strip()
        if required and not text:
            self.fail((key,), f"'{key}' is leeg; vul een {key} in")
        return text

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.doc.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        ):
            self.fail((key,), f"'{key}' moet een lijst van teksten zijn, zoals {key}: [een, twee]")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def moment(
        self, key: str, value: object = None, keys: tuple[str, ...] | None = None
    ) -> Moment | None:
        value = self.doc.meta.get(key) if value is None else value
        if value is None:
            return None
        moment = parse_moment(value, self.zone)
        if moment is None:
            self.fail(keys or (key,), f"'{key}' is geen geldige datum ('{value}'); {DATE_HINT}")
        return moment

    def flag(self, key: str) -> bool:
        value = self.doc.meta.get(key, False)
        if not isinstance(value, bool):
            self.fail((key,), f"'{key}' moet true of false zijn")
            return False
        return value


def build_page(
    src: PageSource, doc: SourceDocument, config: SiteConfig
) -> tuple[Page | None, list[Problem]]:
    check = _Checker(doc, config.zone)
    section = config.sections.get(src.section) if src.section else None
    kind = KIND_OF_SECTION[section.kind] if section else "plain"
    title = check.text("title", required=True)
    date = check.moment("date")
    updated = check.moment("updated")
    summary = check.text("summary")
    tags = check.text_list("tags")
    authors = tuple(slugify(a) for a in check.text_list("author"))
    draft = check.flag("draft")
    slug = _slug(check, src)
    aliases = _aliases(check)
    terms = _terms(check, config)
    # A draft may still lack required keys (`new` writes them empty): warn, don't fail.
    required = "warning" if draft else "error"
    if section:
        for key in section.required:
            found = lookup(doc.meta, key)
            if found is None or _is_empty(found[0]):
                line = doc.line_of(*found[1]) if found else 1
                check.problems.append(
                    Problem(
                        doc.path,
                        line,
                        f"sectie '{section.name}' vraagt '{key}', maar die ontbreekt of is leeg; "
                        f"vul '{key}: ...' in de front matter in",
                        severity=required,
                    )
                )
    event = _event(check, required) if kind == "event" else None
    if any(p.is_error for p in check.problems) or not title:
        return None, check.problems
    return (
        Page(
            source=src.source,
            section=src.section,
            kind=kind,
            slug=slug,
            url=page_url(src.section, slug),
            title=title,
            date=date,
            updated=updated,
            summary=summary,
            tags=tags,
            authors=authors,
            draft=draft,
            aliases=aliases,
            terms=terms,
            event=event,
            meta=doc.meta,
            body=doc.body,
            body_line=doc.body_line,
            key_lines=doc.key_lines,
            bundle_assets=src.bundle_assets,
        ),
        check.problems,
    )


def _slug(check: _Checker, src: PageSource) -> str:
    given = check.text("slug")
    if not given:
        slug = slugify(src.name)
        if not slug:
            check.fail(
                (), f"uit de bestandsnaam '{src.name}' valt geen adres te maken; geef een 'slug'"
            )
        return slug
    if given != slugify(given):
        check.fail(
            ("slug",),
            f"'slug' mag alleen kleine letters, cijfers en streepjes bevatten "
            f"(geen / of ..); bijvoorbeeld slug: {slugify(given) or 'mijn-pagina'}",
        )
    return given


def _aliases(check: _Checker) -> tuple[str, ...]:
    aliases = []
    for alias in check.text_list("aliases"):
        normal = normalise_alias(alias)
        if normal is None:
            check.fail(
                ("aliases",),
                f"'{alias}' is geen bruikbaar oud adres; schrijf een pad als /oud/adres/",
            )
        else:
            aliases.append(normal)
    return tuple(aliases)


def _terms(check: _Checker, config: SiteConfig) -> tuple[tuple[str, tuple[str, ...]], ...]:
    terms = []
    for key in config.taxonomies:
        found = lookup(check.doc.meta, key)
        if found is None or found[0] is None:
            continue
        value, keys = found
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        ):
            check.fail(
                keys, f"'{key}' moet tekst of een lijst van teksten zijn, zoals {key}: [een, twee]"
            )
            continue
        values = tuple(str(v).strip() for v in value if str(v).strip() and slugify(str(v)))
        if values:
            terms.append((key, values))
    return tuple(terms)


def _event(check: _Checker, severity: str) -> EventInfo | None:
    meta = check.doc.meta
    if meta.get("start") is None:
        check.problems.append(
            Problem(
                check.doc.path,
                check.doc.line_of("start"),
                "een evenement heeft een 'start' nodig; vul in, bijvoorbeeld: start: 2019-10-03 14:00",
                severity=severity,
            )
        )
        return None
    start = check.moment("start")
    end = check.moment("end")
    if start and end and end.at < start.at:
        check.fail(("end",), "'end' ligt vóór 'start'; controleer de datum en tijd van het einde")
    location = check.text("location")
    registration = check.text("registration")
    if registration and not registration.lower().startswith(("https://", "http://")):
        check.fail(
            ("registration",),
            "'registration' moet een webadres zijn dat begint met https:// of http://",
        )
    if start is None:
        return None
    return EventInfo(start, end, location, registration)
