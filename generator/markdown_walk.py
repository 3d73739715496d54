"""Markdown the general way: one walk through cmark's tree collects headings, links,
images and the first paragraph, rewrites links to .md sources and turns raw HTML
into text, before cmark renders the tree."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from generator.cmark import (
    CODE,
    HEADING,
    HTML_BLOCK,
    HTML_INLINE,
    IMAGE,
    LEAVES,
    LINEBREAK,
    LINK,
    PARAGRAPH,
    SOFTBREAK,
    TEXT,
    html_of,
    library,
)
from generator.rendered import (
    Heading,
    LinksFound,
    Rendered,
    finish_html,
    make_heading,
)


def render_walked(text: str, source: str, first_line: int, urls: dict[str, str]) -> Rendered:
    """Any Markdown: cmark's tree is walked node by node before it is rendered."""
    fed = _html_as_text(text)
    walk = _Walk(*library()[:2], source, first_line, urls, fed)
    html = finish_html(html_of(fed, walk.run), walk.headings)
    return walk.rendered_with(html, walk.headings, walk.first_paragraph, walk.images)


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


class _Walk(LinksFound):
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
        self.images: list[tuple[str, str, int]] = []
        super().__init__()  # the links, sorted by self.sort
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
        self.headings.append(make_heading(level, text, self.slugs))

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
        url = self.sort(href, self._line(node), self.source, self.urls)
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
