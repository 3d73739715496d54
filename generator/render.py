"""The Jinja environment: loader, filters, and template errors as Problems."""

from __future__ import annotations

import json
import types
from collections import ChainMap
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
import jinja2.compiler
import jinja2.runtime
import markupsafe
import orjson
from markupsafe import Markup

from generator.config import SiteConfig
from generator.dates import clock, long_date, long_datetime, short_date
from generator.digest import hash_bytes
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
    """JSON for a <script type="application/ld+json">, safe against '</script>'.

    orjson writes it in 2 us where the json module took 45 (3% of a build); a value
    orjson refuses (a key that is no string, a number beyond 64 bits) goes the slow way."""
    try:
        text = orjson.dumps(value).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is one
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


_PLAIN_CALLABLES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)


class _Context(jinja2.runtime.Context):
    """Jinja's context, with a short way for the calls templates make most.

    Jinja looks twice for a `pass_context`-style marker on every call, and each
    miss raises and catches an AttributeError inside `hasattr`. A plain function
    or method carries the marker in its own `__dict__` if at all, so one lookup
    there says the same."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        kind = type(__obj)
        if kind in _PLAIN_CALLABLES:
            target = __obj.__func__ if kind is types.MethodType else __obj
            if "jinja_pass_arg" not in getattr(target, "__dict__", ()):
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
                try:
                    return __obj(*args, **kwargs)
                except StopIteration:
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a StopIteration exception"
                    )
        return super().call(__obj, *args, **kwargs)


# markupsafe's C escaping of a str, returning a str (the object itself when nothing needs
# escaping); where a markupsafe release lacks it, its public escape does the same job.
_escape_text = getattr(markupsafe, "_escape_inner", markupsafe.escape)


def _escape_output(value: object) -> str:
    """What `{{ value }}` writes under autoescape, as `markupsafe.escape` would, but a
    plain text is escaped without being wrapped in Markup: the pieces a template yields
    are only ever joined, and a template's Markup results (blocks, macros, `{% set %}`
    blocks) are made by Jinja from the joined text: 2.6% fewer instructions in a build.
    Markup is written as it is: `escape` would copy it twice (a Markup of its __html__),
    and a page's content, its partials and a list's cards are long texts."""
    kind = type(value)
    if kind is str:
        return _escape_text(value)
    if kind is Markup:
        return value
    return markupsafe.escape(value)


def _counting(method):
    """A dict method that also counts the change it makes."""

    def changing(self, *args, **kwargs):
        self.version += 1
        return method(self, *args, **kwargs)

    return changing


class _Globals(dict):
    """The environment's globals, counting their changes (see _Template.new_context)."""

    version = 0
    __setitem__ = _counting(dict.__setitem__)
    __delitem__ = _counting(dict.__delitem__)
    __ior__ = _counting(dict.__ior__)
    update = _counting(dict.update)
    pop = _counting(dict.pop)
    popitem = _counting(dict.popitem)
    setdefault = _counting(dict.setdefault)
    clear = _counting(dict.clear)


class _Template(jinja2.Template):
    """Templates whose output expressions use `_escape_output`, and whose contexts are
    made from a plain copy of the globals."""

    _flat: tuple[int, dict] | None = None

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # noqa: A002 - Jinja's
        template = super().from_code(environment, code, globals, uptodate)
        # The module's functions (root, blocks) look `escape` up in their shared globals.
        template.root_render_func.__globals__["escape"] = _escape_output
        return template

    def new_context(self, vars=None, shared=False, locals=None):  # noqa: A002 - Jinja's
        # Jinja keeps a template's globals as a ChainMap over the environment's, which
        # every render and include walks key by key in Python (2% of a build). A plain
        # copy is read in C; it is made again whenever the environment's globals change.
        chain, shared_globals = self.globals, self.environment.globals
        if (
            not isinstance(shared_globals, _Globals)
            or not isinstance(chain, ChainMap)
            or chain.maps[0]
        ):
            return super().new_context(vars, shared, locals)
        if self._flat is None or self._flat[0] != shared_globals.version:
            self._flat = (shared_globals.version, dict(chain))
        return jinja2.runtime.new_context(
            self.environment, self.name, self.blocks, vars, shared, self._flat[1], locals
        )


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code, except that a block, a parent template or an include is joined
    into one text where it is used, instead of having each of its pieces passed on.

    Jinja passes every piece of a block up through `yield from` at each level: a piece
    of an article's main block went through the block's, base.html's and page.html's
    generators, some 400 resumes a page. Joined where it is used, each piece is handed
    on once: 6% of Jinja's time on an article page. Every line stays where Jinja put
    it, so template line numbers in errors are unchanged; a line this does not know
    (another Jinja release) is written as Jinja wrote it."""

    _HANDED_ON = ("yield from parent_template.root_render_func(", "yield from context.blocks[")

    def writeline(self, x: str, node=None, extra: int = 0) -> None:
        if x.startswith(self._HANDED_ON):
            x = f"yield environment.concat({x.removeprefix('yield from ')})"
        elif x == "for event in gen:":  # an include, or a block inside a {% set %} block
            x = "for event in (environment.concat(gen),):"
        super().writeline(x, node, extra)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, by file and source checksum.

    The preview builds again after every edit, each time with a new environment;
    compiling its templates anew was a third of a rebuild after one edit at 10,000
    pages. The code is kept in memory only: a file of it would be code we run.
    Every environment sharing this comes from `make_environment`, so all compile alike."""

    LIMIT = 256  # templates kept; a process that builds many sites drops the oldest

    def __init__(self) -> None:
        self._code: dict[str, tuple[str | None, types.CodeType]] = {}

    def get_bucket(self, environment, name: str, filename: str | None, source: str):
        """Jinja's bucket, keyed by the environment's configuration as well: Jinja works
        a filter on a fixed text out while compiling (`'/css/site.css' | url`), with the
        filters of the environment that compiles, so code made for one base_url is no
        code for another."""
        key = f"{self.get_cache_key(name, filename)}/{getattr(environment, _SETUP, '')}"
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket) -> None:
        known = self._code.get(bucket.key)
        if known is not None and known[0] == bucket.checksum:
            bucket.code = known[1]

    def dump_bytecode(self, bucket) -> None:
        self._code.pop(bucket.key, None)
        while len(self._code) >= self.LIMIT:
            del self._code[next(iter(self._code))]
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_COMPILED = _CompiledTemplates()


class _Environment(jinja2.Environment):
    """Jinja's environment; a template parsed to find what it references
    (`templatedigests.TemplateDigests`) is compiled from that parse, not parsed again: 15 ms of
    every cold build at 10,000 pages, before the workers fork."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._parsed: dict[str, jinja2.nodes.Template] = {}

    def parse_to_compile(self, source: str) -> jinja2.nodes.Template:
        """`parse(source)`, its tree then used once to compile that source."""
        tree = self.parse(source)
        self._parsed[source] = tree
        return tree

    def _parse(self, source, name, filename):
        tree = self._parsed.pop(source, None)
        return super()._parse(source, name, filename) if tree is None else tree


_SETUP = "kennisbank_setup"  # an environment's attribute: a digest of its configuration


def make_environment(root: Path, config: SiteConfig) -> jinja2.Environment:
    loader = RecordingLoader(root / TEMPLATES_DIR)
    env = _Environment(
        loader=loader,
        bytecode_cache=_COMPILED,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    setattr(env, _SETUP, hash_bytes(repr(config).encode()))
    env.code_generator_class = _CodeGenerator
    env.context_class = _Context
    env.template_class = _Template
    env.globals = _Globals(env.globals)
    zone = config.zone
    locale = config.language
    # Without their trailing '/', once: every link on every page goes through these.
    path_prefix = (urlsplit(config.base_url).path or "/").rstrip("/")
    site_prefix = config.base_url.rstrip("/")

    if path_prefix:

        def url(path: str) -> str:
            return path_prefix + "/" + path.lstrip("/") if path.startswith("/") else path
    else:  # a site at the root of its host: a path stays as it is (one test, every link)

        def url(path: str) -> str:
            return "/" + path.lstrip("/") if path.startswith("//") else path

    def absolute(path: str) -> str:
        return site_prefix + "/" + path.lstrip("/")

    def moment_at(value: Moment | object):
        return value.at if isinstance(value, Moment) else value

    def breadcrumb_list(crumbs, title: str, url_path: str) -> dict:
        """schema.org BreadcrumbList: the crumbs, then the page itself."""
        trail = [(crumb.title, crumb.url) for crumb in crumbs] + [(title, url_path)]
        return {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": n, "name": name, "item": absolute(url)}
                for n, (name, url) in enumerate(trail, start=1)
            ],
        }

    env.globals.update(breadcrumb_list=breadcrumb_list)
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
