"""`partial(name, **values)`: a template piece rendered once per set of values (Hugo's
`partialCached`).

A list page shows twenty cards and every page shows up on many lists, so a card
would be rendered eight times over. Called as `{{ partial("partials/card.html",
item=item) }}`, the piece sees only the values passed (and `site`), so its HTML
depends on nothing else and is kept per process, keyed by those values. The site
questions it asked are kept with it and logged again into every output that uses
it: the dependency records stay exactly as if it had been rendered there.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from generator.deps import RecordingSite, Unrecordable, arg_key
from generator.model import Page
from generator.templatedigests import PARTIAL

__all__ = ["PARTIAL", "PartialCache"]


class PartialCache:
    def __init__(self, env: jinja2.Environment, recording: RecordingSite):
        self._env = env
        self._recording = recording
        self._made: dict[tuple, tuple[Markup, tuple[dict, set[str], bool]]] = {}

    def __call__(self, name: str, **values) -> Markup:
        recording = self._recording
        key: tuple
        if len(values) == 1:
            # Most calls, a card of a list: one page. Keyed as `arg_key` keys a page,
            # without building and sorting a list for it (a list page makes twenty).
            ((label, value),) = values.items()
            if type(value) is Page:
                key = (name, (label, ("page", value.source)))
                made = self._made.get(key)
                if made is not None:
                    recording.replay(*made[1])
                    return made[0]
            elif type(value) is str:  # every page's header: the section it is in
                key = (name, (label, value))
            else:
                key = self._key(name, values)
        elif values:
            key = self._key(name, values)
        else:  # every page's footer
            key = (name,)
        if not key:  # a value we cannot key on: rendered here, logged directly
            return self._render(name, values)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = recording.apart(lambda: self._render(name, values))
        html, recorded = made
        recording.replay(*recorded)
        return html

    @staticmethod
    def _key(name: str, values: dict) -> tuple:
        """The values' key as `arg_key` makes it; () for a value it cannot key on."""
        try:
            return (name, *sorted([(k, arg_key(v)) for k, v in values.items()]))
        except Unrecordable:
            return ()

    def _render(self, name: str, values: dict) -> Markup:
        return Markup(self._env.get_template(name).render(values, site=self._recording))
