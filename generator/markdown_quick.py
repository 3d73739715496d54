"""Markdown the quick way: what the walk (markdown_walk) collects node by node, read
from cmark's HTML and the text instead. For the common text only; None for the rest."""

from __future__ import annotations

import re
from html import unescape

from generator.cmark import html_of
from generator.rendered import (
    Heading,
    LinksFound,
    Rendered,
    heading_tag,
    make_heading,
    without_backref_labels,
)


def _needs_walk(text: str) -> bool:
    """What the quick way leaves to the walk: raw HTML and autolinks ('<'), code ('`',
    which may hold '](' that is no link), escapes and entities (a backslash, '&'), link
    references (']:') and a carriage return (a line break to cmark, not to
    `_link_lines`). Then every link and image has its '](' in the text, so an image, a
    footnote or a '](' that is no link shows as '](' that do not match the links of
    cmark's HTML. One C search each: a regular expression of them all reads a text
    several times slower, and a generator over them costs more than the searches."""
    return "<" in text or "`" in text or "\\" in text or "&" in text or "]:" in text or "\r" in text


_HEADING_HTML = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_ANCHOR_HREF = re.compile(r'<a href="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
# A URL cmark writes into href="" as it is (it percent-encodes or escapes the rest).
_HREF_AS_IS = re.compile(r"[A-Za-z0-9/._~#-]*")


def render_quick(text: str, source: str, first_line: int, urls: dict) -> Rendered | None:
    """The common text (paragraphs, headings, lists, tables, inline links) without walking
    cmark's tree, node by node in Python, which took two thirds of the Markdown stage:
    what the walk collects is read from cmark's HTML and the text instead. None: this text
    needs the walk (`render_walked`), which gives the same `Rendered` for any text."""
    if _needs_walk(text):
        return None
    html = html_of(text)
    anchors = list(_ANCHOR_HREF.finditer(html))
    if anchors and "<table>" in html and _in_table(html, anchors):
        return None  # a link in a table gets the line the walk gives it
    lines = _link_lines(text, [anchor[1] for anchor in anchors], first_line)
    if lines is None:
        return None
    first = _first_paragraph(html)
    if first is None:
        return None
    found = LinksFound()
    edits: list[tuple[int, int, str]] = []  # (start, end, new text) in cmark's HTML
    for match, line in zip(anchors, lines, strict=True):
        url = found.sort(match[1], line, source, urls)
        if url is not None:
            if not _HREF_AS_IS.fullmatch(url):
                return None
            edits.append((match.start(1), match.end(1), url))
    headings: list[Heading] = []
    slugs: set[str] = set()
    for match in _HEADING_HTML.finditer(html):
        # The walk reads a heading's text pieces; a line break in it adds nothing.
        heading = make_heading(int(match[1]), _html_text(match[2]).replace("\n", ""), slugs)
        headings.append(heading)
        if heading.anchor:  # h1-h4 get their id here, as finish_html gives it on the walk
            edits.append((match.start(), match.start() + 4, heading_tag(match[1], heading.anchor)))
    edits.sort()  # both in order already; a heading's tag comes before its links
    pieces: list[str] = []
    done = 0
    for start, end, new in edits:
        pieces += (html[done:start], new)
        done = end
    html = "".join(pieces) + html[done:]
    return found.rendered_with(without_backref_labels(html), headings, first)


def _in_table(html: str, anchors: list[re.Match[str]]) -> bool:
    start = html.find("<table>")
    while start >= 0:
        end = html.find("</table>", start)
        if any(start < anchor.start() < end for anchor in anchors):
            return True
        start = html.find("<table>", end)
    return False


def _html_text(html: str) -> str:
    return unescape(_TAG.sub("", html) if "<" in html else html)


def _link_lines(text: str, hrefs: list[str], first_line: int) -> list[int] | None:
    """The line of each link, from where its '[' is in the text; None when the text's
    '](' are not exactly the links, in order, or a link's text spans lines."""
    lines: list[int] = []
    at = counted = 0
    line = first_line
    for href in hrefs:
        middle = text.find("](", at)
        if middle < 0 or not text.startswith(href, middle + 2):
            return None
        end = middle + 2 + len(href)
        if text[end : end + 1] not in (")", " "):
            return None
        opening = _opening_bracket(text, middle)
        if opening is None:
            return None
        line += text.count("\n", counted, opening)
        counted = opening
        lines.append(line)
        at = end
    if text.find("](", at) >= 0:
        return None
    return lines


def _opening_bracket(text: str, closing: int) -> int | None:
    """Where the '[' matching the ']' at `closing` is, on the same line."""
    line_start = text.rfind("\n", 0, closing) + 1
    opening = text.rfind("[", line_start, closing)
    if opening < 0:
        return None
    if text.find("]", opening, closing) >= 0:
        return _nested_opening(text, line_start, closing)
    return opening


def _nested_opening(text: str, line_start: int, closing: int) -> int | None:
    """`_opening_bracket` for link text that holds brackets itself: '[a [b] c](d.md)'."""
    depth = 0
    for at in range(closing - 1, line_start - 1, -1):
        if text[at] == "]":
            depth += 1
        elif text[at] == "[":
            if depth == 0:
                return at
            depth -= 1
    return None


def _first_paragraph(html: str) -> str | None:
    """The text of the first paragraph, as the walk collects it; None when that paragraph
    may be one cmark writes without <p> (in a tight list) or has no text."""
    start = html.find("<p>")
    item = html.find("<li>")
    if item >= 0 and (start < 0 or item < start):
        return None
    if start < 0:
        return ""
    inner = html[start + 3 : html.find("</p>", start)]
    text = _html_text(inner).replace("\n", " ").strip()
    return text or None
