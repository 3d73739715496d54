"""The vocabulary keys of a taxonomy in site.yaml, read and checked with their lines.

    taxonomies:
      tags:
        path: tags
        synonyms: {daklozen: [dak- en thuislozen]}   # folds into 'daklozen'
        values: [daklozen, wonen, zorg]              # a closed list

Terms are compared by slug, as everywhere: 'Dak- en thuislozen' is 'dak-en-thuislozen'.
"""

from __future__ import annotations

from generator.errors import Problem
from generator.i18n import text
from generator.suggest import closest
from generator.urls import slugify
from generator.yamlload import LoadedYaml

CONFIG_FILE = "site.yaml"
TAXONOMY_KEYS = ("path", "title", "synonyms", "values")


def _texts(value: object) -> list[str] | None:
    """A text or a list of texts, as stripped strings; None when it is neither."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        return None
    return [str(v).strip() for v in value if slugify(str(v))]


def read_vocabulary(
    loaded: LoadedYaml, key: str, spec: dict
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], list[Problem]]:
    """(synonyms as (synonym, main) pairs, closed values, problems) for taxonomy `key`."""
    problems: list[Problem] = []
    here = loaded.line_of("taxonomies", key, default=1)
    for name in spec:
        guess = closest(str(name), TAXONOMY_KEYS) if name not in TAXONOMY_KEYS else None
        if guess:
            line = loaded.line_of("taxonomies", key, str(name), default=here)
            problems.append(
                Problem(CONFIG_FILE, line, text("config-unknown-key", name=name, suggestion=guess))
            )
    values: list[str] = []
    if spec.get("values") is not None:
        line = loaded.line_of("taxonomies", key, "values", default=here)
        listed = _texts(spec["values"])
        if not listed:
            problems.append(Problem(CONFIG_FILE, line, text("config-values", key=key)))
        else:
            values = listed
    synonyms = _synonyms(loaded, key, spec.get("synonyms"), here, problems)
    allowed = {slugify(v) for v in values}
    for main in dict.fromkeys(main for _synonym, main in synonyms):
        line = loaded.line_of("taxonomies", key, "synonyms", main, default=here)
        if allowed and slugify(main) not in allowed:
            problems.append(
                Problem(CONFIG_FILE, line, text("config-synonym-not-in-values", main=main, key=key))
            )
    return tuple(synonyms), tuple(values), problems


def _synonyms(
    loaded: LoadedYaml, key: str, raw: object, here: int, problems: list[Problem]
) -> list[tuple[str, str]]:
    if raw is None:
        return []
    top = loaded.line_of("taxonomies", key, "synonyms", default=here)
    if not isinstance(raw, dict):
        problems.append(Problem(CONFIG_FILE, top, text("config-synonyms", key=key)))
        return []
    pairs: list[tuple[str, str]] = []
    owner: dict[str, str] = {}  # synonym slug -> main term
    mains = {slugify(str(m)) for m in raw}
    for main, listed in raw.items():
        main = str(main).strip()
        line = loaded.line_of("taxonomies", key, "synonyms", main, default=top)
        synonyms = _texts(listed)
        if synonyms is None or not slugify(main):
            problems.append(Problem(CONFIG_FILE, line, text("config-synonyms", key=key)))
            continue
        for synonym in synonyms:
            slug = slugify(synonym)
            if slug == slugify(main):
                continue  # the same term in another spelling: folding it changes nothing
            if slug in mains:
                problems.append(
                    Problem(
                        CONFIG_FILE,
                        line,
                        text("config-synonym-is-main", synonym=synonym, main=main),
                    )
                )
            elif slug in owner and owner[slug] != main:
                problems.append(
                    Problem(
                        CONFIG_FILE,
                        line,
                        text("config-synonym-twice", synonym=synonym, main=main, other=owner[slug]),
                    )
                )
            else:
                owner[slug] = main
                pairs.append((synonym, main))
    return pairs
