"""Split a Markdown source into YAML front matter and body; parse the YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.errors import Problem
from generator.textclean import clean_text
from generator.yamlload import load_mapping

FENCE = "---"
# The line that closes the front matter: '---' or '...', then any whitespace but a line
# break (what str.rstrip() removes: re's \s is str.isspace()).
_CLOSING = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


@dataclass(slots=True)
class SourceDocument:
    path: str  # relative to the site root, with forward slashes
    meta: dict
    key_lines: dict[tuple[str, ...], int]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, *keys: str) -> int:
        """Line of a front-matter key, or of the opening fence when it is absent."""
        return self.key_lines.get(tuple(keys), 1)


def normalise_text(raw: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 (with or without BOM) and turn CRLF/CR into LF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, Problem(
            path,
            line,
            "het bestand is geen UTF-8-tekst; sla het op als UTF-8 "
            "(in de meeste editors: 'Opslaan als' > codering UTF-8)",
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return clean_text(text), None


def parse_document(text: str, path: str) -> SourceDocument:
    """Parse front matter + body; problems are recorded, never raised."""
    if not text.strip():
        return _failed(path, 1, "het bestand is leeg; begin met front matter: ---, title: ..., ---")
    first_end = text.find("\n")
    if first_end == -1:
        first_end = len(text)
    if text[:first_end].rstrip() != FENCE:
        return _failed(
            path,
            1,
            "front matter ontbreekt: begin het bestand met een regel '---', "
            "dan 'title: ...' en sluit af met '---'",
        )
    # Found in the text, not line by line: the body is most of a file.
    closing = _CLOSING.search(text, first_end + 1) if first_end < len(text) else None
    if closing is None:
        return _failed(
            path,
            1,
            "de front matter die op regel 1 opent met '---' wordt nergens gesloten; "
            "zet een regel '---' onder de laatste sleutel",
        )
    yaml_text = text[first_end + 1 : closing.start() - 1]  # "" when it closes on line 2
    loaded = load_mapping(yaml_text, path, first_line=2)
    body_start = text.find("\n", closing.end())
    body = text[body_start + 1 :] if body_start != -1 else ""
    return SourceDocument(
        path=path,
        meta=loaded.data,
        key_lines=loaded.lines,
        body=body,
        body_line=text.count("\n", 0, closing.start()) + 2,
        problems=loaded.problems,
    )


def _failed(path: str, line: int, message: str) -> SourceDocument:
    return SourceDocument(path, {}, {}, "", 1, [Problem(path, line, message)])
