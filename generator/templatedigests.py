"""Digests of templates: the file an output is made with and everything it extends,
includes, imports or calls as a partial, so that a changed template makes again
exactly the outputs that used it."""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.meta

from generator.digest import hash_bytes

_REFERENCES: dict[str, tuple[list[str | None], bool]] = {}
PARTIAL = "partial"  # the template function of generator.partials


def _partials_called(ast: jinja2.nodes.Template) -> list[str | None]:
    """Templates named in `partial("name", ...)` calls (None: a name known only at run time)."""
    names: list[str | None] = []
    for call in ast.find_all(jinja2.nodes.Call):
        if isinstance(call.node, jinja2.nodes.Name) and call.node.name == PARTIAL:
            first = call.args[0] if call.args else None
            is_name = isinstance(first, jinja2.nodes.Const) and isinstance(first.value, str)
            names.append(first.value if is_name else None)
    return names


def _references(env: jinja2.Environment, source: str, digest: str) -> tuple[list[str | None], bool]:
    """Templates a template includes, extends, imports or calls as a partial (None: a name
    only known at run time), by content digest."""
    if digest not in _REFERENCES:
        try:
            # Kept for compiling the template, where make_environment's environment can.
            ast = getattr(env, "parse_to_compile", env.parse)(source)
            _REFERENCES[digest] = (
                [*jinja2.meta.find_referenced_templates(ast), *_partials_called(ast)],
                False,
            )
        except jinja2.TemplateSyntaxError:
            _REFERENCES[digest] = ([], True)
    return _REFERENCES[digest]


class TemplateDigests:
    """Digest of the template a job would use, with everything it extends or includes."""

    def __init__(self, env: jinja2.Environment, folder: Path):
        self._env = env
        self._folder = folder
        self._files: dict[str, str | None] = {}
        self._closures: dict[str, str] = {}
        self._choices: dict[tuple[str, ...], tuple[str | None, str]] = {}

    def _file(self, name: str) -> str | None:
        if name not in self._files:
            try:
                self._files[name] = hash_bytes((self._folder / name).read_bytes())
            except OSError:
                self._files[name] = None
        return self._files[name]

    def _all(self) -> str:
        names = sorted(
            p.relative_to(self._folder).as_posix() for p in self._folder.rglob("*") if p.is_file()
        )
        return hash_bytes(repr([(n, self._file(n)) for n in names]).encode())

    def closure(self, name: str) -> str:
        if name in self._closures:
            return self._closures[name]
        seen: dict[str, str | None] = {}
        pending = [name]
        dynamic = False
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen[current] = self._file(current)
            if seen[current] is None:
                continue
            try:
                source = (self._folder / current).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                dynamic = True
                continue
            referenced, broken = _references(self._env, source, seen[current])
            dynamic = dynamic or broken
            for child in referenced:
                if child is None:
                    dynamic = True
                else:
                    pending.append(child)
        parts = sorted(seen.items(), key=lambda item: item[0])
        digest = hash_bytes(repr((parts, self._all() if dynamic else "")).encode())
        self._closures[name] = digest
        return digest

    def choose(self, candidates: tuple[str, ...]) -> tuple[str | None, str]:
        """(template that will be used, digest covering it and the candidates before it)."""
        if candidates not in self._choices:
            absent = []
            chosen = None
            for name in candidates:
                if self._file(name) is not None:
                    chosen = name
                    break
                absent.append(name)
            digest = hash_bytes(repr((absent, chosen, chosen and self.closure(chosen))).encode())
            self._choices[candidates] = (chosen, digest)
        return self._choices[candidates]
