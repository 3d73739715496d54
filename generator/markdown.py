"""Markdown -> Rendered (HTML, headings, links). Pure: knows no Page, does no I/O.

The engine is GitHub's cmark-gfm (C) from the cmarkgfm package. Its Python API only
turns text into HTML, so we call the C functions of the library it ships directly
(cffi, see _cmark()): parse into a tree, walk it once to collect and rewrite links,
then let cmark render the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
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
    ffi, lib, parse_options, render_options = _cmark()
    parser = lib.cmark_parser_new(parse_options)
    root = ffi.NULL
    try:
        for name in (b"table", b"strikethrough"):
            lib.cmark_parser_attach_syntax_extension(parser, lib.cmark_find_syntax_extension(name))
        fed = _html_as_text(text)
        data = fed.encode("utf-8", "surrogatepass")
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        walk = _Walk(ffi, lib, source, first_line, urls, fed)
        walk.run(root)
        extensions = lib.cmark_parser_get_syntax_extensions(parser)
        raw = lib.cmark_render_html(root, render_options, extensions)
        try:
            html = ffi.string(raw).decode("utf-8", "replace")
        finally:
            lib.free(raw)
    finally:
        if root != ffi.NULL:
            lib.cmark_node_free(root)
        lib.cmark_parser_free(parser)
    return walk.rendered(_finish_html(html, walk.headings))


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
        line = self._line(node)
        # Most links go to other sites and need no splitting (brackets may make it invalid).
        if href.startswith(("https://", "http://")) and "[" not in href and "]" not in href:
            self.others["external"].append((href, line))
            return
        if _PLAIN_PATH.fullmatch(href):  # most other links: a path to a source, no split
            parts = SplitResult("", "", href, "", "")
        else:
            try:
                parts = urlsplit(href)
            except ValueError:  # not an address at all: reported by the link checks
                self.others["invalid"].append((href, line))
                return
        _note_link(parts, href, line, self.others)
        url = _rewrite_link(parts, href, self.source, line, self.urls, self.links, self.missing)
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
