"""Problems -> what an editor reads: text with the source line and a caret, or
GitHub Actions annotations, or JSON. Pure: returns strings; cli.py prints them.

The text form, per file, per problem (Rust/Elm style):

    content/artikelen/x.md:4:7: fout: 'date' is geen geldige datum ('2019-13-45')
       |
     4 | date: 2019-13-45
       |       ^^^^^^^^^^
       = schrijf JJJJ-MM-DD, bijvoorbeeld 2019-10-03, of met tijd: 2019-10-03 14:00
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from generator.errors import Problem
from generator.i18n import translate, word
from generator.yamlload import load_mapping

FORMATS = ("text", "github", "json")
_QUOTED = re.compile(r"'([^'\n]+)'")
_COLOURS = {"error": "1;31", "warning": "1;33", "where": "1", "gutter": "34", "help": "36"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One problem, located and worded for the reader."""

    path: str
    line: int
    column: int  # 1-based, 0 when unknown
    width: int  # how many characters the caret underlines
    severity: str
    code: str
    problem: str
    help: str
    source_line: str | None  # the quoted line, tabs expanded; None when not available

    @property
    def message(self) -> str:
        return f"{self.problem}; {self.help}" if self.help else self.problem

    def location(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return where


def site_language(root: Path) -> str:
    """The `language` of site.yaml, 'nl' when it cannot be read (the report still works)."""
    try:
        text = (root / "site.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "nl"
    # Read as the build reads it (libyaml's parser: PyYAML's own safe_load took 1 ms of
    # every build's start); a file it refuses (a key twice, say) is read leniently, so
    # that the report of what is wrong with it is still in the site's language.
    loaded = load_mapping(text, "site.yaml", what="site.yaml")
    data = loaded.data if not loaded.problems else _lenient(text)
    value = data.get("language", "nl") if isinstance(data, dict) else "nl"
    return value if isinstance(value, str) and value else "nl"


def _lenient(text: str) -> object:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


class _Sources:
    """Reads each file once, only when a problem points into it."""

    def __init__(self, root: Path | None):
        self.root = root
        self.cache: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        if self.root is None or number < 1:
            return None
        if path not in self.cache:
            try:
                raw = (self.root / path).read_text(encoding="utf-8-sig", errors="replace")
                self.cache[path] = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            except OSError:
                self.cache[path] = None
        lines = self.cache[path]
        if lines is None or number > len(lines):
            return None
        return lines[number - 1]


def _find(line: str, word: str) -> int:
    """0-based position of `word` as a whole token on `line` ('woning' not in 'woningen'), or -1."""
    whole = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", line)
    return whole.start() if whole else line.find(word)


def _spot(problem: Problem, line: str, head: str, spot: str | None) -> tuple[int, int]:
    """(column, width) to underline.

    The given column first; then the word the catalogue names; then the last
    quoted word of the problem that stands on the line: messages quote what is
    wrong ('2019-13-45', 'jan', 'b.md'), nearly always the spot to change.
    """
    if problem.column:
        rest = line[problem.column - 1 :]
        token = re.match(r"[^\s,\]\}]+", rest)
        return problem.column, len(token.group(0)) if token else 1
    for quoted in [spot] if spot else reversed(_QUOTED.findall(head)):
        found = _find(line, quoted)
        if found >= 0:
            return found + 1, len(quoted)
    stripped = line.lstrip()
    if stripped and line.rstrip() not in ("---", "..."):
        return len(line) - len(stripped) + 1, len(stripped.rstrip())
    return 0, 0


def _follow_block_list(problem: Problem, sources: _Sources, spot: str) -> Problem:
    """`tags:` with the values on the lines below ('  - woning'): point at the value's line."""
    number = problem.line + 1
    while (below := sources.line(problem.path, number)) is not None and below[:1] in (
        " ",
        "\t",
        "-",
    ):
        if _find(below, spot) >= 0:
            return replace(problem, line=number)
        number += 1
    return problem


def _display(line: str, column: int) -> tuple[str, int]:
    """Expand tabs so that the caret lines up; the column becomes a display column."""
    if not column:
        return line.expandtabs(4), 0
    return line.expandtabs(4), len(line[: column - 1].expandtabs(4)) + 1


def entries(problems: list[Problem], root: Path | None, language: str) -> list[Entry]:
    sources = _Sources(root)
    result = []
    for problem in sorted(problems, key=Problem.sort_key):
        code, message, spot = translate(problem.message, language)
        head, _, help_ = message.partition("; ")
        line = sources.line(problem.path, problem.line)
        if line is not None and spot and not problem.column and _find(line, spot) < 0:
            problem = _follow_block_list(problem, sources, spot)
            line = sources.line(problem.path, problem.line)
        if line is not None and line.rstrip() in ("---", "...") and not problem.column:
            line = None  # a fence says nothing: the key is missing, not wrong
        column, width = (problem.column, 1 if problem.column else 0)
        if line is not None:
            # Only the problem part: the help may quote a suggestion that is not on the line.
            column, width = _spot(problem, line, problem.message.partition("; ")[0], spot)
        result.append(
            Entry(
                problem.path,
                problem.line,
                column,
                width,
                problem.severity,
                code,
                head,
                help_,
                line,
            )
        )
    # Sorted again now that columns are known: two problems on one line, left to right.
    return sorted(result, key=lambda e: (e.path, e.line, e.column, e.problem))


def _paint(text: str, style: str, colour: bool) -> str:
    return f"\x1b[{_COLOURS[style]}m{text}\x1b[0m" if colour and text else text


def format_text(items: list[Entry], language: str, colour: bool = False) -> str:
    """Errors first, then warnings; within each, grouped by file."""
    blocks: list[str] = []
    ordered = [e for e in items if e.severity == "error"] + [
        e for e in items if e.severity != "error"
    ]
    current = None
    for entry in ordered:
        if (entry.severity, entry.path) != current:
            current = (entry.severity, entry.path)
            rule = f"-- {entry.path} " + "-" * max(3, 76 - len(entry.path))
            blocks.append(_paint(rule, "gutter", colour))
        blocks.append(_format_entry(entry, language, colour))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _format_entry(entry: Entry, language: str, colour: bool) -> str:
    label = word("error" if entry.severity == "error" else "warning", language)
    style = "error" if entry.severity == "error" else "warning"
    lines = [
        f"{_paint(entry.location() + ':', 'where', colour)} "
        f"{_paint(label + ':', style, colour)} {entry.problem}"
    ]
    gutter = " " * len(str(entry.line))
    if entry.source_line is not None:
        shown, column = _display(entry.source_line, entry.column)
        bar = _paint("|", "gutter", colour)
        lines.append(f"{gutter} {bar}")
        lines.append(f"{_paint(str(entry.line), 'gutter', colour)} {bar} {shown}".rstrip())
        if column:
            caret = " " * (column - 1) + "^" * max(1, entry.width)
            lines.append(f"{gutter} {bar} {_paint(caret, style, colour)}")
    if entry.help:
        lines.append(
            f"{gutter} {_paint('=', 'gutter', colour)} {_paint(entry.help, 'help', colour)}"
        )
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    # The GitHub Actions workflow-command escapes (toolkit's escapeData / escapeProperty).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(items: list[Entry]) -> str:
    out = []
    for entry in items:
        kind = "error" if entry.severity == "error" else "warning"
        props = [f"file={_escape_property(entry.path)}"]
        if entry.line:
            props.append(f"line={entry.line}")
            if entry.column:
                props.append(f"col={entry.column}")
        out.append(f"::{kind} {','.join(props)}::{_escape_data(entry.message)}\n")
    return "".join(out)


def format_json(items: list[Entry], language: str) -> str:
    listed = [
        {
            "file": e.path,
            "line": e.line,
            "column": e.column,
            "severity": e.severity,
            "code": e.code,
            "message": e.message,
            "problem": e.problem,
            "help": e.help,
        }
        for e in items
    ]
    return (
        json.dumps({"language": language, "problems": listed}, ensure_ascii=False, indent=2) + "\n"
    )


def render(
    problems: list[Problem], root: Path | None, language: str, fmt: str, colour: bool
) -> str:
    items = entries(problems, root, language)
    if fmt == "github":
        return format_github(items)
    if fmt == "json":
        return format_json(items, language)
    return format_text(items, language, colour)
