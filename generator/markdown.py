"""Markdown -> Rendered (HTML, headings, links). Pure: knows no Page, does no I/O.

The engine is GitHub's cmark-gfm (C) from the cmarkgfm package. Its Python API only
turns text into HTML, so we call the C functions of the library it ships directly
(cffi, see _cmark()): parse into a tree, walk it once to collect and rewrite links,
then let cmark render the tree. Most texts need no walk: `_render_quick` reads the
same from cmark's HTML and the text, and leaves the others to the walk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from typing import Any
from urllib.parse import SplitResult, urlsplit

from generator.slotstate import quick_state
from generator.urls import relative_source, slugify

SUMMARY_LENGTH = 220


@quick_state
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    anchor: str  # '' for h5 and h6, which get no id
    text: str  # plain text


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
    # (href, line) of links and images whose address is no URL at all ('//[x').
    invalid: tuple[tuple[str, int], ...] = ()


def _anchor_slug(text: str) -> str:
    return slugify(text) or "kop"


# The C functions we use. cmarkgfm's compiled module declares only a few of them, but
# its shared library exports the whole cmark-gfm API, so we open it a second time in
# cffi's ABI mode with these declarations (the process shares one copy of the library).
_DECLARATIONS = """
typedef struct cmark_node cmark_node;
typedef struct cmark_parser cmark_parser;
typedef struct cmark_syntax_extension cmark_syntax_extension;
typedef struct _cmark_llist cmark_llist;
void cmark_gfm_core_extensions_ensure_registered(void);
cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
cmark_parser *cmark_parser_new(int options);
int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *ext);
void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
cmark_node *cmark_parser_finish(cmark_parser *parser);
cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
void cmark_parser_free(cmark_parser *parser);
char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
int cmark_node_get_type(cmark_node *node);
int cmark_node_set_type(cmark_node *node, int type);
int cmark_node_get_start_line(cmark_node *node);
int cmark_node_get_end_line(cmark_node *node);
int cmark_node_get_heading_level(cmark_node *node);
const char *cmark_node_get_literal(cmark_node *node);
int cmark_node_set_literal(cmark_node *node, const char *content);
const char *cmark_node_get_url(cmark_node *node);
int cmark_node_set_url(cmark_node *node, const char *url);
cmark_node *cmark_node_new(int type);
cmark_node *cmark_node_next(cmark_node *node);
cmark_node *cmark_node_first_child(cmark_node *node);
int cmark_node_append_child(cmark_node *node, cmark_node *child);
int cmark_node_replace(cmark_node *oldnode, cmark_node *newnode);
void cmark_node_free(cmark_node *node);
void free(void *ptr);
"""

# cmark's node types (cmark-gfm.h).
_BLOCK, _INLINE = 0x8000, 0xC000
CODE_BLOCK, HTML_BLOCK, PARAGRAPH, HEADING = (_BLOCK | n for n in (5, 6, 8, 9))
THEMATIC_BREAK = _BLOCK | 10
TEXT, SOFTBREAK, LINEBREAK, CODE, HTML_INLINE = (_INLINE | n for n in (1, 2, 3, 4, 5))
LINK, IMAGE = _INLINE | 9, _INLINE | 10
# The nodes cmark's own iterator treats as leaves (S_is_leaf): entered, never exited.
LEAVES = frozenset(
    {CODE_BLOCK, HTML_BLOCK, THEMATIC_BREAK, TEXT, SOFTBREAK, LINEBREAK, CODE, HTML_INLINE}
)


@lru_cache(maxsize=1)
def _cmark() -> tuple[Any, Any, int, int]:
    """(ffi, lib, parse options, render options)."""
    import cffi
    from cmarkgfm import _cmark as compiled

    ffi = cffi.FFI()
    ffi.cdef(_DECLARATIONS)
    lib = ffi.dlopen(compiled.__file__)
    lib.cmark_gfm_core_extensions_ensure_registered()
    c = compiled.lib
    # Like markdown-it before: '~~x~~' strikes through, '~x~' does not; tables align
    # with style attributes (the align attribute is obsolete HTML). No CMARK_OPT_UNSAFE:
    # javascript: links lose their URL. Raw HTML never reaches cmark's renderer (_Walk).
    parse = c.CMARK_OPT_FOOTNOTES | c.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
    parse |= c.CMARK_OPT_VALIDATE_UTF8
    render = c.CMARK_OPT_FOOTNOTES | c.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
    return ffi, lib, parse, render


def render_markdown(text: str, source: str, first_line: int, urls: dict[str, str]) -> Rendered:
    """Render `text` (which starts at `first_line` of `source`).

    `urls` maps source paths ('content/projecten/parana.md') to page URLs;
    links to those sources are rewritten, links to unknown sources reported.
    """
    if not any(mark in text for mark in _NOT_QUICK):
        quick = _render_quick(text, source, first_line, urls)
        if quick is not None:
            return quick
    return _render_walked(text, source, first_line, urls)


def _render_walked(text: str, source: str, first_line: int, urls: dict[str, str]) -> Rendered:
    """Any Markdown: cmark's tree is walked node by node before it is rendered."""
    fed = _html_as_text(text)
    walk = _Walk(*_cmark()[:2], source, first_line, urls, fed)
    return walk.rendered(_finish_html(_cmark_html(fed, walk.run), walk.headings))


def _cmark_html(text: str, walk: Callable[[Any], None] | None = None) -> str:
    """cmark's HTML for `text`; `walk(root)` may change the tree before it is rendered."""
    ffi, lib, parse_options, render_options = _cmark()
    parser = lib.cmark_parser_new(parse_options)
    root = ffi.NULL
    try:
        for name in (b"table", b"strikethrough"):
            lib.cmark_parser_attach_syntax_extension(parser, lib.cmark_find_syntax_extension(name))
        data = text.encode("utf-8", "surrogatepass")
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        if walk is not None:
            walk(root)
        extensions = lib.cmark_parser_get_syntax_extensions(parser)
        raw = lib.cmark_render_html(root, render_options, extensions)
        try:
            return ffi.string(raw).decode("utf-8", "replace")
        finally:
            lib.free(raw)
    finally:
        if root != ffi.NULL:
            lib.cmark_node_free(root)
        lib.cmark_parser_free(parser)


# A line that would open a raw HTML block (after at most three spaces, quote markers
# and a list marker), and what must stay as it is: autolinks and code fences.
_HTML_LINE = re.compile(r"(?P<lead> {0,3}(?:> ?)*(?:(?:[-+*]|\d{1,9}[.)]) {1,4})?)<[A-Za-z/!?]")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>@]+>")
_FENCE = re.compile(r" {0,3}(?:> ?)*(?:(?:[-+*]|\d{1,9}[.)]) +)?\s*(`{3,}|~{3,})")


def _html_as_text(text: str) -> str:
    """Escape the '<' that would open a raw HTML block, so that cmark reads the lines as
    a paragraph: Markdown inside is rendered and the tags show as text, as markdown-it
    did with html=False. Lines keep their numbers. Blocks this misses (deeper in a
    list) are still shown as plain text by _Walk._replace_html_block."""
    if "<" not in text:
        return text
    lines = text.split("\n")
    fence = ""
    for number, line in enumerate(lines):
        if (opened := _FENCE.match(line)) is not None:
            mark = opened[1]
            if not fence:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence):
                fence = ""
            continue
        if fence or (html := _HTML_LINE.match(line)) is None:
            continue
        at = html.end("lead")
        if _AUTOLINK.match(line, at) is None:
            lines[number] = line[:at] + "\\" + line[at:]
    return "\n".join(lines)


_HEADING_TAG = re.compile(r"<h([1-4])>")
# cmark-gfm labels the footnotes' back links in English; markdown-it gave them no
# label, so a screen reader reads the arrow. Keep it that way on our Dutch pages.
_BACKREF_LABEL = re.compile(r' aria-label="Back to [^"]*"')  # 'reference 1', 'content'


def _finish_html(html: str, headings: list[Heading]) -> str:
    """Give h1-h4 their ids: cmark writes none. Raw HTML never reaches the output and
    code is escaped, so the n-th '<hN>' in the HTML is the n-th such heading."""
    anchors = iter([h.anchor for h in headings if h.level <= 4])

    def with_id(match: re.Match[str]) -> str:
        anchor = next(anchors, None)
        return f'<h{match[1]} id="{anchor}">' if anchor else match[0]

    html = _HEADING_TAG.sub(with_id, html)
    if "footnote-backref" in html:
        html = _BACKREF_LABEL.sub("", html)
    return html


# What the quick way leaves to the walk: raw HTML and autolinks ('<'), code ('`', which
# may hold '](' that is no link), escapes and entities ('\\', '&'), link references
# (']:') and '\r' (a line break to cmark, not to `_link_lines`). Then every link and
# image has its '](' in the text, so an image, a footnote or a '](' that is no link
# shows as '](' that do not match the links of cmark's HTML. Looked for one by one: a
# regular expression of them all reads a text several times slower.
_NOT_QUICK = ("<", "`", "\\", "&", "]:", "\r")
_HEADING_HTML = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_ANCHOR_HREF = re.compile(r'<a href="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
# A URL cmark writes into href="" as it is (it percent-encodes or escapes the rest).
_HREF_AS_IS = re.compile(r"[A-Za-z0-9/._~#-]*")


class _LinksFound:
    """The links of one text, sorted as `_sort_link` sorts them."""

    def __init__(self) -> None:
        self.links: list[Link] = []
        self.missing: list[Link] = []
        self.others: dict[str, list[tuple[str, int]]] = {
            "files": [],
            "external": [],
            "own_anchors": [],
            "invalid": [],
        }


def _render_quick(text: str, source: str, first_line: int, urls: dict) -> Rendered | None:
    """The common text (paragraphs, headings, lists, tables, inline links) without walking
    cmark's tree, node by node in Python, which took two thirds of the Markdown stage:
    what the walk collects is read from cmark's HTML and the text instead. None: this text
    needs the walk (`_render_walked`), which gives the same `Rendered` for any text."""
    html = _cmark_html(text)
    anchors = list(_ANCHOR_HREF.finditer(html))
    if anchors and "<table>" in html and _in_table(html, anchors):
        return None  # a link in a table gets the line the walk gives it
    lines = _link_lines(text, [anchor[1] for anchor in anchors], first_line)
    first = _first_paragraph(html)
    if lines is None or first is None:
        return None
    found = _LinksFound()
    pieces: list[str] = []
    done = 0
    for match, line in zip(anchors, lines, strict=True):
        url = _sort_link(match[1], line, source, urls, found)
        if url is not None:
            if not _HREF_AS_IS.fullmatch(url):
                return None
            pieces += (html[done : match.start(1)], url)
            done = match.end(1)
    html = "".join(pieces) + html[done:]
    headings: list[Heading] = []
    slugs: set[str] = set()
    for level, inner in _HEADING_HTML.findall(html):
        # The walk reads a heading's text pieces; a line break in it adds nothing.
        heading = _html_text(inner).replace("\n", "")
        anchor = _unique(_anchor_slug(heading), slugs) if int(level) <= 4 else ""
        headings.append(Heading(int(level), anchor, heading))
    return Rendered(
        html=_finish_html(html, headings),
        headings=tuple(headings),
        links=tuple(found.links),
        missing=tuple(found.missing),
        first_paragraph=_shorten(first),
        images=(),
        files=tuple(found.others["files"]),
        external=tuple(found.others["external"]),
        own_anchors=tuple(found.others["own_anchors"]),
        invalid=tuple(found.others["invalid"]),
    )


def _in_table(html: str, anchors: list[re.Match[str]]) -> bool:
    start = html.find("<table>")
    while start >= 0:
        end = html.find("</table>", start)
        if any(start < anchor.start() < end for anchor in anchors):
            return True
        start = html.find("<table>", end)
    return False


def _html_text(html: str) -> str:
    return unescape(_TAG.sub("", html))


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
    if "]" in text[opening:closing]:
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


class _Walk:
    """One walk through cmark's tree: collects headings, links, images and the first
    paragraph, rewrites links to .md sources, and turns raw HTML into text."""

    def __init__(
        self, ffi: Any, lib: Any, source: str, first_line: int, urls: dict, text: str = ""
    ) -> None:
        self.ffi, self.lib = ffi, lib
        self.text = text  # as cmark was given it: for _plain
        self.lines: list[str] | None = None
        self.source, self.line_offset, self.urls = source, first_line - 1, urls
        self.headings: list[Heading] = []
        self.links: list[Link] = []
        self.missing: list[Link] = []
        self.images: list[tuple[str, str, int]] = []
        self.others: dict[str, list[tuple[str, int]]] = {
            "files": [],
            "external": [],
            "own_anchors": [],
            "invalid": [],
        }
        self.first_paragraph = ""
        self.slugs: set[str] = set()  # heading ids given so far
        # Text being collected: of the heading, the first paragraph, the image we are in.
        self.heading: list[str] | None = None
        self.paragraph: list[str] | None = None
        self.alt: list[str] | None = None
        self.html_blocks: list[Any] = []
        # cmark forgets to count backslash line breaks in the lines of inlines, so we
        # also count the breaks since the start of the paragraph or heading ourselves.
        self.block: Any = None  # the paragraph or heading being walked (its line: _line)
        self.block_line = 0
        self.breaks = 0

    def run(self, root: Any) -> None:
        lib = self.lib
        handlers = {
            TEXT: self._text,
            CODE: self._text,
            HTML_INLINE: self._html_inline,
            SOFTBREAK: self._break,
            LINEBREAK: self._break,
            LINK: self._link,
            IMAGE: self._image,
            HEADING: self._heading,
            PARAGRAPH: self._paragraph,
            HTML_BLOCK: self._html_block,
        }
        # The tree is walked by hand rather than with cmark's iterator: per node that is
        # two or three C calls instead of three per event (containers give two events),
        # and most nodes are text. Enter and exit are told to the handlers as before.
        first_child, next_sibling, get_type = (
            lib.cmark_node_first_child,
            lib.cmark_node_next,
            lib.cmark_node_get_type,
        )
        entered: list[tuple[Any, Any]] = []  # containers whose children are being walked
        node = first_child(root)
        while True:
            if node:  # not NULL
                kind = get_type(node)
                if kind == TEXT and self.alt is self.heading is self.paragraph is None:
                    node = next_sibling(node)  # most nodes: text no one collects
                    continue
                handler = handlers.get(kind)
                if handler is not None:
                    handler(node, False)
                if kind in LEAVES:
                    node = next_sibling(node)
                elif kind == PARAGRAPH and self.first_paragraph and self._plain(node):
                    handler(node, True)  # nothing inside to collect, rewrite or convert
                    node = next_sibling(node)
                else:
                    entered.append((node, handler))
                    node = first_child(node)
            elif entered:
                container, handler = entered.pop()
                if handler is not None:
                    handler(container, True)
                node = next_sibling(container)
            else:
                break
        # Replaced only now: the walk must not meet a freed node.
        for node in self.html_blocks:
            self._replace_html_block(node)

    def _plain(self, node: Any) -> bool:
        """A paragraph whose lines hold no '[' (links, images, footnotes) and no '<'
        (autolinks, raw HTML): its inlines need no walk (most paragraphs; each inline
        costs two or three C calls)."""
        start = self.lib.cmark_node_get_start_line(node)
        if start <= 0:  # no position (a paragraph that lost its last line to a table)
            return False
        end = max(start, self.lib.cmark_node_get_end_line(node))
        if self.lines is None:
            self.lines = self.text.split("\n")
        lines = "\n".join(self.lines[start - 1 : end])
        return bool(lines) and "[" not in lines and "<" not in lines

    def _literal(self, node: Any) -> str:
        return self.ffi.string(self.lib.cmark_node_get_literal(node)).decode("utf-8", "replace")

    def _line(self, node: Any) -> int:
        if self.block is not None:  # asked only now: most blocks hold no link or image
            block, self.block = self.block, None
            self.block_line = self.lib.cmark_node_get_start_line(block)
            if not self.block_line and (table := self.lib.cmark_node_next(block)) != self.ffi.NULL:
                # A paragraph whose last line became a table's header has no position
                # (cmark-gfm); the table after it starts where the paragraph started.
                self.block_line = self.lib.cmark_node_get_start_line(table)
        line = max(self.lib.cmark_node_get_start_line(node), self.block_line + self.breaks)
        return self.line_offset + line

    def _block_start(self, node: Any) -> None:
        self.block, self.block_line, self.breaks = node, 0, 0

    def _text(self, node: Any, _exit: bool) -> None:
        if self.alt is None and self.heading is None and self.paragraph is None:
            return  # most text is in no heading, image or first paragraph: skip the call
        piece = self._literal(node)
        if self.alt is not None:
            self.alt.append(piece)  # alt text counts for no heading or summary
            return
        if self.heading is not None:
            self.heading.append(piece)
        if self.paragraph is not None:
            self.paragraph.append(piece)

    def _html_inline(self, node: Any, exit: bool) -> None:
        # Raw HTML typed by an editor is shown as the text it is (markdown-it's html=False).
        # set_type frees the literal, so it is read before and set again after.
        literal = self.ffi.string(self.lib.cmark_node_get_literal(node))
        self.breaks += literal.count(b"\n")
        literal = self.ffi.new("char[]", literal)
        self.lib.cmark_node_set_type(node, TEXT)
        self.lib.cmark_node_set_literal(node, literal)
        self._text(node, exit)

    def _break(self, _node: Any, _exit: bool) -> None:
        self.breaks += 1
        if self.paragraph is not None and self.alt is None:
            self.paragraph.append(" ")

    def _heading(self, node: Any, exit: bool) -> None:
        if not exit:
            self._block_start(node)
            self.heading = []
            return
        level = self.lib.cmark_node_get_heading_level(node)
        text = "".join(self.heading or ())
        self.heading = None
        anchor = _unique(_anchor_slug(text), self.slugs) if level <= 4 else ""
        self.headings.append(Heading(level, anchor, text))

    def _paragraph(self, node: Any, exit: bool) -> None:
        if not exit:
            self._block_start(node)
        # The first paragraph with text, wherever it is (list, quote, footnote).
        if self.first_paragraph:
            return
        if not exit:
            self.paragraph = []
            return
        self.first_paragraph = "".join(self.paragraph or ()).strip()
        self.paragraph = None

    def _image(self, node: Any, exit: bool) -> None:
        if not exit:
            self.alt = []
            return
        src = self.ffi.string(self.lib.cmark_node_get_url(node)).decode("utf-8", "replace")
        alt, self.alt = "".join(self.alt or ()), None
        try:
            urlsplit(src)
        except ValueError:  # not an address at all: reported by the link checks
            self.others["invalid"].append((src, self._line(node)))
            return
        self.images.append((src, alt, self._line(node)))

    def _link(self, node: Any, exit: bool) -> None:
        if exit:
            return
        href = self.ffi.string(self.lib.cmark_node_get_url(node)).decode("utf-8", "replace")
        url = _sort_link(href, self._line(node), self.source, self.urls, self)
        if url is not None:
            self.lib.cmark_node_set_url(node, url.encode())

    def _html_block(self, node: Any, _exit: bool) -> None:
        if not self.first_paragraph:
            # markdown-it (html=False) read raw HTML blocks as paragraphs.
            self.first_paragraph = " ".join(self._literal(node).split())
        self.html_blocks.append(node)

    def _replace_html_block(self, node: Any) -> None:
        """A raw HTML block becomes a paragraph showing the HTML as text."""
        lib = self.lib
        paragraph, text = lib.cmark_node_new(PARAGRAPH), lib.cmark_node_new(TEXT)
        literal = self._literal(node).rstrip("\n")
        lib.cmark_node_set_literal(text, literal.encode("utf-8", "surrogatepass"))
        lib.cmark_node_append_child(paragraph, text)
        lib.cmark_node_replace(node, paragraph)
        lib.cmark_node_free(node)

    def rendered(self, html: str) -> Rendered:
        return Rendered(
            html=html,
            headings=tuple(self.headings),
            links=tuple(self.links),
            missing=tuple(self.missing),
            first_paragraph=_shorten(self.first_paragraph),
            images=tuple(self.images),
            files=tuple(self.others["files"]),
            external=tuple(self.others["external"]),
            own_anchors=tuple(self.others["own_anchors"]),
            invalid=tuple(self.others["invalid"]),
        )


def _sort_link(href: str, line: int, source: str, urls: dict, found: Any) -> str | None:
    """Note a link in `found` (its lists `links`, `missing` and `others`); the page URL
    it must point at when it is a link to a .md source (None: leave it as it is)."""
    # Most links go to other sites and need no splitting (brackets may make it invalid).
    if href.startswith(("https://", "http://")) and "[" not in href and "]" not in href:
        found.others["external"].append((href, line))
        return None
    if _PLAIN_PATH.fullmatch(href):  # most other links: a path to a source, no split
        parts = SplitResult("", "", href, "", "")
    else:
        try:
            parts = urlsplit(href)
        except ValueError:  # not an address at all: reported by the link checks
            found.others["invalid"].append((href, line))
            return None
    _note_link(parts, href, line, found.others)
    return _rewrite_link(parts, href, source, line, urls, found.links, found.missing)


# A relative path that urlsplit would return whole as the path: no scheme (':'), no
# '//' host, no query, fragment or brackets, nothing it strips.
_PLAIN_PATH = re.compile(r"(?!//)[^:#?\[\]\\%\s\x00-\x20\x7f]+")


def _unique(slug: str, slugs: set[str]) -> str:
    """'kop', 'kop-1', 'kop-2': the suffixes mdit_py_plugins' anchors gave before."""
    unique, n = slug, 1
    while unique in slugs:
        unique, n = f"{slug}-{n}", n + 1
    slugs.add(unique)
    return unique


def _note_link(
    parts: SplitResult, href: str, line: int, others: dict[str, list[tuple[str, int]]]
) -> None:
    """Sort a link that is not to a .md source: another site, a file, or '#kop'."""
    if parts.scheme in ("http", "https"):
        others["external"].append((href, line))
    elif parts.scheme or parts.netloc:
        return  # mailto:, tel: and the like
    elif not parts.path and parts.fragment:
        others["own_anchors"].append((parts.fragment, line))
    elif "." in parts.path.rsplit("/", 1)[-1] and not parts.path.endswith((".md", ".html", ".htm")):
        others["files"].append((href, line))


def _rewrite_link(
    parts: SplitResult,
    href: str,
    source: str,
    line: int,
    urls: dict[str, str],
    links: list[Link],
    missing: list[Link],
) -> str | None:
    """The page URL for a link to a .md source (None: leave the link as it is)."""
    if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
        return None
    target = relative_source(source, parts.path)
    link = Link(target, parts.fragment, href, line)
    links.append(link)
    url = urls.get(target)
    if url is None:
        missing.append(link)
        return None
    return url + (f"#{parts.fragment}" if parts.fragment else "")


def _shorten(text: str) -> str:
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"
