"""Markdown -> Rendered (HTML, headings, links). Pure: knows no Page, does no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from generator.slotstate import quick_state
from generator.urls import relative_source, slugify

SUMMARY_LENGTH = 220


@quick_state
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    anchor: str
    text: str


@quick_state
@dataclass(frozen=True, slots=True)
class Link:
    """A link from Markdown to another Markdown source."""

    target: str  # the source it points at, relative to the site root ('content/a/b.md')
    fragment: str  # '#anchor' part without '#', may be ''
    href: str  # as written
    line: int  # 1-based line in the source file


@quick_state
@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]  # every link to a .md source, resolved or not
    missing: tuple[Link, ...]  # links to .md sources that do not exist
    first_paragraph: str  # plain text, for a summary when none is given
    images: tuple[tuple[str, str, int], ...]  # (src, alt, line)
    # For the link checks (linkcheck.py): (href, line) of links to files beside the
    # page (attachments), to other sites, and to headings on the page itself.
    files: tuple[tuple[str, int], ...] = ()
    external: tuple[tuple[str, int], ...] = ()
    own_anchors: tuple[tuple[str, int], ...] = ()


def _anchor_slug(text: str) -> str:
    return slugify(text) or "kop"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(anchors_plugin, min_level=1, max_level=4, slug_func=_anchor_slug)
    md.use(footnote_plugin)
    return md


def render_markdown(text: str, source: str, first_line: int, urls: dict[str, str]) -> Rendered:
    """Render `text` (which starts at `first_line` of `source`).

    `urls` maps source paths ('content/projecten/parana.md') to page URLs;
    links to those sources are rewritten, links to unknown sources reported.
    """
    md = _parser()
    tokens = md.parse(text, {})
    links: list[Link] = []
    missing: list[Link] = []
    headings: list[Heading] = []
    images: list[tuple[str, str, int]] = []
    others: dict[str, list[tuple[str, int]]] = {"files": [], "external": [], "own_anchors": []}
    first_paragraph = ""
    line = first_line
    for index, token in enumerate(tokens):
        if token.map:
            line = first_line + token.map[0]
        if token.type == "heading_open":
            inline = tokens[index + 1]
            headings.append(
                Heading(int(token.tag[1]), str(token.attrs.get("id", "")), inline.content)
            )
        elif token.type == "paragraph_open" and not first_paragraph:
            first_paragraph = _plain_text(tokens[index + 1])
        if token.type == "inline" and token.children:
            # The block knows its first line; line breaks inside it move links further down.
            at = line
            for child in token.children:
                if child.type in ("softbreak", "hardbreak"):
                    at += 1
                elif child.type == "link_open":
                    _note_link(str(child.attrs.get("href", "")), at, others)
                    _rewrite_link(child, source, at, urls, links, missing)
                elif child.type == "image":
                    src = str(child.attrs.get("src", ""))
                    images.append((src, child.content, at))
    html = md.renderer.render(tokens, md.options, {})
    return Rendered(
        html=html,
        headings=tuple(headings),
        links=tuple(links),
        missing=tuple(missing),
        first_paragraph=_shorten(first_paragraph),
        images=tuple(images),
        files=tuple(others["files"]),
        external=tuple(others["external"]),
        own_anchors=tuple(others["own_anchors"]),
    )


def _note_link(href: str, line: int, others: dict[str, list[tuple[str, int]]]) -> None:
    """Sort a link that is not to a .md source: another site, a file, or '#kop'."""
    parts = urlsplit(href)
    if parts.scheme in ("http", "https"):
        others["external"].append((href, line))
    elif parts.scheme or parts.netloc:
        return  # mailto:, tel: and the like
    elif not parts.path and parts.fragment:
        others["own_anchors"].append((parts.fragment, line))
    elif "." in parts.path.rsplit("/", 1)[-1] and not parts.path.endswith((".md", ".html", ".htm")):
        others["files"].append((href, line))


def _rewrite_link(
    token: Token,
    source: str,
    line: int,
    urls: dict[str, str],
    links: list[Link],
    missing: list[Link],
) -> None:
    href = str(token.attrs.get("href", ""))
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
        return
    target = relative_source(source, parts.path)
    link = Link(target, parts.fragment, href, line)
    links.append(link)
    url = urls.get(target)
    if url is None:
        missing.append(link)
        return
    token.attrs["href"] = url + (f"#{parts.fragment}" if parts.fragment else "")


def _plain_text(inline: Token) -> str:
    pieces = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
    return "".join(pieces).strip()


def _shorten(text: str) -> str:
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"
