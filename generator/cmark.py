"""cmark-gfm, GitHub's Markdown engine (C), reached through cffi.

cmarkgfm's Python API only turns text into HTML. Its shared library exports the
whole cmark-gfm API, so we open it a second time in cffi's ABI mode: parse a text
into a tree, let the caller look at or change the tree, then render it as HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

# The C functions we use (cmarkgfm's compiled module declares only a few of them); the
# process shares one copy of the library.
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
def library() -> tuple[Any, Any, int, int]:
    """(ffi, lib, parse options, render options): the whole API, for walking trees."""
    ffi, lib, _free, _free_node, _extensions, parse, render = _walkable()
    return ffi, lib, parse, render


@lru_cache(maxsize=1)
def _walkable() -> tuple:
    """The library opened again in cffi's ABI mode with our declarations (parsed by
    pycparser: 20 ms, so only where a text needs the walk), as `_engine` gives it."""
    import cffi
    from cmarkgfm import _cmark as compiled

    ffi = cffi.FFI()
    ffi.cdef(_DECLARATIONS)
    lib = ffi.dlopen(compiled.__file__)
    return _engine(ffi, lib, lib.free, lib.cmark_node_free, compiled.lib)


@lru_cache(maxsize=1)
def _compiled() -> tuple:
    """What text -> HTML needs, from cmarkgfm's compiled module: no declarations to parse,
    so no cffi parser to import (20 ms in every process) and direct calls, not libffi's.
    It lacks the two functions that free, which ctypes finds in the same library."""
    import ctypes

    from cmarkgfm import _cmark as compiled

    lib, ffi = compiled.lib, compiled.ffi
    shared = ctypes.CDLL(compiled.__file__)
    for function in (shared.free, shared.cmark_node_free):
        function.argtypes, function.restype = [ctypes.c_void_p], None

    def free(pointer) -> None:
        shared.free(int(ffi.cast("uintptr_t", pointer)))

    def free_node(node) -> None:
        shared.cmark_node_free(int(ffi.cast("uintptr_t", node)))

    return _engine(ffi, lib, free, free_node, lib)


def _engine(ffi, lib, free, free_node, constants) -> tuple:
    """(ffi, lib, free, free node, the table and strikethrough extensions, parse options,
    render options); `constants`: the compiled module's lib, which names the options."""
    lib.cmark_gfm_core_extensions_ensure_registered()
    extensions = tuple(lib.cmark_find_syntax_extension(n) for n in (b"table", b"strikethrough"))
    # Like markdown-it before: '~~x~~' strikes through, '~x~' does not; tables align
    # with style attributes (the align attribute is obsolete HTML). No CMARK_OPT_UNSAFE:
    # javascript: links lose their URL. Raw HTML never reaches cmark's renderer (markdown_walk).
    c = constants
    parse = c.CMARK_OPT_FOOTNOTES | c.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
    parse |= c.CMARK_OPT_VALIDATE_UTF8
    render = c.CMARK_OPT_FOOTNOTES | c.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
    return ffi, lib, free, free_node, extensions, parse, render


def html_of(text: str, walk: Callable[[Any], None] | None = None) -> str:
    """cmark's HTML for `text`; `walk(root)` may change the tree before it is rendered.
    Without a walk, through the compiled module (see _compiled)."""
    engine = _compiled() if walk is None else _walkable()
    ffi, lib, free, free_node, extensions, parse_options, render_options = engine
    parser = lib.cmark_parser_new(parse_options)
    root = ffi.NULL
    try:
        for extension in extensions:
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        data = text.encode("utf-8", "surrogatepass")
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        if walk is not None:
            walk(root)
        raw = lib.cmark_render_html(
            root, render_options, lib.cmark_parser_get_syntax_extensions(parser)
        )
        try:
            return ffi.string(raw).decode("utf-8", "replace")
        finally:
            free(raw)
    finally:
        if root != ffi.NULL:
            free_node(root)
        lib.cmark_parser_free(parser)
