"""The Jinja environment: loader, filters, and template errors as Problems."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from generator.config import SiteConfig
from generator.dates import clock, long_date, long_datetime, short_date
from generator.errors import Problem
from generator.model import Moment

TEMPLATES_DIR = "templates"


class RecordingLoader(jinja2.FileSystemLoader):
    """Remembers every template name looked up (found or not), for dependency tracking."""

    def __init__(self, searchpath: Path):
        super().__init__(str(searchpath))
        self.requested: set[str] = set()

    def get_source(self, environment, template):  # type: ignore[override]
        self.requested.add(template)
        return super().get_source(environment, template)


def _json_ld(value: object) -> Markup:
    """JSON for a <script type="application/ld+json">, safe against '</script>'."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def make_environment(root: Path, config: SiteConfig) -> jinja2.Environment:
    loader = RecordingLoader(root / TEMPLATES_DIR)
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    zone = config.zone
    locale = config.language
    base_path = urlsplit(config.base_url).path or "/"

    def url(path: str) -> str:
        return base_path.rstrip("/") + "/" + path.lstrip("/") if path.startswith("/") else path

    def absolute(path: str) -> str:
        return config.base_url.rstrip("/") + "/" + path.lstrip("/")

    def moment_at(value: Moment | object):
        return value.at if isinstance(value, Moment) else value

    env.filters.update(
        url=url,
        absolute=absolute,
        date_long=lambda m: long_date(m, locale, zone),
        date_short=lambda m: short_date(m, locale, zone),
        datetime_long=lambda m: long_datetime(moment_at(m), locale, zone),
        clock=lambda m: clock(moment_at(m), locale, zone),
        iso=lambda m: moment_at(m).astimezone(zone).isoformat(),
        json_ld=_json_ld,
    )
    return env


def template_problem(error: Exception, root: Path) -> Problem:
    """Where in which template a rendering error happened, from Jinja's rewritten traceback."""
    folders = (str(root / TEMPLATES_DIR), str((root / TEMPLATES_DIR).resolve()))
    if isinstance(error, jinja2.TemplateSyntaxError):
        name = error.filename or error.name or "?"
        return Problem(
            _relative(name, root), error.lineno or 0, f"fout in template: {error.message}"
        )
    line, name = 0, "templates"
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(folders):
            name, line = filename, tb.tb_lineno
        tb = tb.tb_next
    if isinstance(error, jinja2.TemplateNotFound):
        message = f"template '{error.name}' niet gevonden in templates/"
    elif isinstance(error, jinja2.UndefinedError):
        message = f"fout in template: {error.message}; controleer de naam van de variabele"
    else:
        message = f"fout in template: {type(error).__name__}: {error}"
    return Problem(_relative(name, root), line, message)


def _relative(name: str, root: Path) -> str:
    for base in (root, root.resolve()):
        for candidate in (Path(name), Path(name).resolve()):
            try:
                return candidate.relative_to(base).as_posix()
            except ValueError:
                continue
    return name
