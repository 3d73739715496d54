"""Dependency records: what each output read while it was rendered (Lektor/Hugo style).

An output is rendered again only when something it depended on changed:
its template files, its render context, or the answer to any question its
templates asked the site (`site.backlinks(page)`, `site.upcoming(3)`, ...).
Templates reach the site only through a `RecordingSite`, so every question
is logged with a digest of its answer; on the next build the same questions
are asked again and the answers compared. When in doubt, render again.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from generator.digest import Digester
from generator.model import Page
from generator.records import QueryKey
from generator.taxonomy import Term

_UNASKED = object()  # no answer kept for a question yet


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def arg_key(value: object) -> object:
    kind = type(value)
    if kind is Page:
        return ("page", value.source)
    if kind in _PLAIN_TYPES or isinstance(value, str | int | float | bool):
        return value
    raise Unrecordable


class Unrecordable(Exception):
    """An argument we cannot replay; the output is then never considered fresh."""


def _arg_value(key: object, view) -> object:
    if isinstance(key, tuple) and len(key) == 2 and key[0] == "page":
        page = view.page(key[1])
        if page is None:
            raise LookupError(key[1])
        return page
    return key


class RecordingSite:
    """Stands in for the SiteView inside templates and logs every question asked.

    `answers` may be shared by all outputs of one render: the site does not change
    while it renders, so a question asked by many outputs (`site.upcoming(3)`) is
    answered, digested and searched for pages once. A question about one page is mostly
    asked by that page's own output alone (`site.related(page)`; on lists, cards ask
    about their page, and partials.py keeps a card once made), so its answer is kept
    only until the next output starts: kept all along, they were 45 MB at 10,000 pages,
    each byte fresh memory the process faulted in.
    One recorder serves many outputs in turn (`start` before each): the wrapper made
    for a method is then made once, not at every `site.x` a template evaluates.

    With `digests=False` (a first build that leaves them to the next, DEFERRED) only the
    questions are logged, each with "" for its digest, and no page is counted as
    mentioned: the answers are kept all the same, as they are by the ordinary wrapper."""

    def __init__(
        self, view, digester: Digester | None, answers: dict | None = None, digests: bool = True
    ):
        self._view = view
        self._digester = digester
        self._digests = digests
        self._answers: dict[QueryKey, tuple[object, str, frozenset[str]]] = (
            answers if answers is not None else {}
        )
        self._tuples: dict[int, tuple[tuple, str, set[str]]] = {}  # see _remember
        # Emptied for each output, never replaced: the wrappers hold it.
        self._page_answers: dict[QueryKey, tuple[object, str, AbstractSet[str]]] = {}
        self.log: dict[QueryKey, str] | None = None
        self.replayable = True
        self.mentioned: set[str] = set()

    def start(self) -> None:
        """Begin recording a new output."""
        self._page_answers.clear()
        self._begin_log()

    def _begin_log(self) -> None:
        self.log = {}
        self.replayable = True
        self.mentioned = set()

    def apart(self, render):
        """`render()` with its questions recorded apart from the output's (a partial kept
        for reuse): (its value, (log, mentioned, replayable)) for `replay`."""
        outer = self.log, self.mentioned, self.replayable
        self._begin_log()
        try:
            return render(), (self.log, self.mentioned, self.replayable)
        finally:
            self.log, self.mentioned, self.replayable = outer

    def replay(self, log: dict[QueryKey, str], mentioned: set[str], replayable: bool) -> None:
        """Log what `apart` recorded into the current output, as if asked here. A key
        already logged has the same digest (one recorder answers each question once),
        so `update` logs what `setdefault` one by one did, in one C loop."""
        if self.log is not None:
            self.log.update(log)
        if mentioned:
            self.mentioned |= mentioned
        if not replayable:
            self.replayable = False

    def __getattr__(self, name: str):
        value = getattr(self._view, name)
        if name.startswith("_"):
            return value
        if name in getattr(self._view, "CONFIGURED", ()):
            self.__dict__[name] = value  # found directly from now on, never logged
            return value
        if not callable(value):  # `site.now`: asked and logged anew by every output
            return self._note((name,), lambda: value)
        make = self._digesting if self._digests else self._keys_only
        recorded = make(name, value)
        if name in getattr(self._view, "OWN_PAGE", ()):
            recorded = self._own_page(value, recorded)
        self.__dict__[name] = recorded  # found directly from now on
        return recorded

    def _digesting(self, name: str, value):
        """The wrapper of a recorder with digests: each answer digested once, the pages
        in it counted as mentioned."""
        answers = self._answers
        remember = self._remember
        page_answers = self._page_answers
        digest_into = self._digest_into
        of = self._digester.of

        def recorded(*args):  # _note inlined: templates ask hundreds of thousands of these
            if len(args) == 1 and type(args[0]) is Page:  # most questions: about one page
                source = args[0].source
                key = (name, ("page", source))
                known = page_answers.get(key)
                if known is None:
                    # Kept until the output ends; its pages stay a set (nothing changes
                    # them: freezing them was a copy for each of a page's ten questions).
                    result = value(*args)
                    mentioned = {source}
                    digest = of(result) if type(result) is str else digest_into(result, mentioned)
                    known = page_answers[key] = (result, digest, mentioned)
                self.mentioned |= known[2]  # never empty: it holds the page asked about
                log = self.log
                if log is not None:
                    log.setdefault(key, known[1])
                return known[0]
            else:
                try:
                    key = (name, *map(arg_key, args))
                except Unrecordable:
                    self.replayable = False
                    result = value(*args)
                    _collect_pages(args, self.mentioned)
                    _collect_pages(result, self.mentioned)
                    return result
                # About a page (`site.structured(url, page)`): kept as long as its output,
                # as above; each article page's JSON-LD was kept to the end, 15 MB at 10k.
                kept = page_answers if Page in map(type, args) else answers
                known = kept.get(key)
                if known is None:
                    known = remember(key, value(*args), kept)
            if known[2]:
                self.mentioned |= known[2]
            log = self.log
            if log is not None:
                log.setdefault(key, known[1])
            return known[0]

        return recorded

    def _keys_only(self, name: str, value):
        """The wrapper of a recorder without digests: the question's key logged, the
        answer kept as the ordinary wrapper keeps it (by output when about a page)."""
        answers = self._answers
        page_answers = self._page_answers

        def recorded(*args):
            if len(args) == 1 and type(args[0]) is Page:
                key = (name, ("page", args[0].source))
                kept = page_answers
            else:
                try:
                    key = (name, *map(arg_key, args))
                except Unrecordable:
                    self.replayable = False
                    return value(*args)
                kept = page_answers if Page in map(type, args) else answers
            known = kept.get(key, _UNASKED)
            if known is _UNASKED:
                known = kept[key] = value(*args)
            log = self.log
            if log is not None:
                log[key] = ""
            return known

        return recorded

    def _own_page(self, value, recorded):
        """A question answered from its page alone (SiteView.OWN_PAGE): not logged, as the
        page is digested already wherever the template got it from; the page is still
        among those the output mentions. About anything but one page, it is logged."""

        def own_page(*args):
            if len(args) == 1 and type(args[0]) is Page:
                self.mentioned.add(args[0].source)
                return value(*args)
            return recorded(*args)

        return own_page

    def _remember(self, key: QueryKey, result, kept: dict) -> tuple[object, str, frozenset[str]]:
        """The answer with its digest and the pages in it, kept in `kept`: the answers all
        outputs share, or those of the current output."""
        mentioned = set()
        for argument in key[1:]:
            if type(argument) is tuple and argument[0] == "page":
                mentioned.add(argument[1])
        digest = self._digest_into(result, mentioned)
        known = (result, digest, frozenset(mentioned))
        kept[key] = known
        return known

    def _digest_into(self, result, mentioned: set[str]) -> str:
        """The digest of an answer; the pages in it are added to `mentioned`."""
        kind = type(result)
        if kind is tuple:
            # An answer shared by many questions (`site.crumbs(page)`: one tuple per
            # section) is digested and searched for pages once.
            memo = self._tuples.get(id(result))
            if memo is None or memo[0] is not result:
                inside: set[str] = set()
                _collect_pages(result, inside)
                memo = self._tuples[id(result)] = (result, self._digester.of(result), inside)
            mentioned |= memo[2]
            return memo[1]
        if kind is not str:  # the answer to most questions that are no list
            _collect_pages(result, mentioned)
        return self._digester.of(result)

    def _note(self, key: QueryKey, ask):
        if not self._digests:
            if self.log is not None:
                self.log[key] = ""
            return ask()
        known = self._answers.get(key)
        if known is None:
            known = self._remember(key, ask(), self._answers)
        if known[2]:
            self.mentioned |= known[2]
        if self.log is not None:
            self.log.setdefault(key, known[1])
        return known[0]


def _collect_pages(value: object, into: set[str], depth: int = 0) -> None:
    """Sources of the pages in a value, looking two levels into lists and tuples."""
    kind = type(value)
    if kind is list or kind is tuple or (kind is not Page and isinstance(value, list | tuple)):
        if depth < 3:
            for item in value:
                # Most answers are lists of pages: their items take no call each. A
                # text or a term is neither a page nor a list (a page's term groups).
                item_kind = type(item)
                if item_kind is Page:
                    into.add(item.source)
                elif item_kind is not str and item_kind is not Term:
                    _collect_pages(item, into, depth + 1)
    elif kind is Page or isinstance(value, Page):
        into.add(value.source)


def mentioned_pages(value: object) -> set[str]:
    found: set[str] = set()
    _collect_pages(value, found)
    return found


class QueryReplayer:
    """Answers logged questions against the new site, once each per build."""

    def __init__(self, view, digester: Digester):
        self._view = view
        self._digester = digester
        self._answers: dict[QueryKey, str | None] = {}

    def digest(self, key: QueryKey) -> str | None:
        """The digest of the answer to `key` in this build; None: it cannot be asked."""
        known = self._answers.get(key, _UNASKED)
        return self._ask(key) if known is _UNASKED else known

    def _ask(self, key: QueryKey) -> str | None:
        """The digest of the answer to a question not asked yet this build, kept."""
        try:
            attribute = getattr(self._view, key[0])
            if len(key) == 1 and not callable(attribute):
                result = attribute
            elif len(key) == 2:  # most questions: about one page
                result = attribute(_arg_value(key[1], self._view))
            else:
                result = attribute(*[_arg_value(k, self._view) for k in key[1:]])
            digest = self._digester.of(result)
        except Exception:  # a question that cannot be asked any more: stale
            digest = None
        self._answers[key] = digest
        return digest

    def unchanged(self, queries: tuple[tuple[QueryKey, str], ...]) -> bool:
        # Most questions were answered for an output checked before (a list's cards ask
        # what their pages' own outputs asked): those are looked up here, without a call
        # each. A rebuild with nothing changed replays some 200,000 at 10,000 pages.
        answers = self._answers
        for key, digest in queries:
            known = answers.get(key, _UNASKED)
            if known is _UNASKED:
                known = self._ask(key)
            if known != digest:
                return False
        return True
