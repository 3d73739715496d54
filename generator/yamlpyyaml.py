"""The YAML that generator/quickyaml.py declines, read by PyYAML's safe loader with
our structure checks and messages (see generator/yamlload.py)."""

from __future__ import annotations

import yaml

from generator import i18n
from generator.errors import Problem
from generator.textclean import clean_value
from generator.yamlload import LoadedYaml

try:  # the C parser is ~10x faster; fall back where libyaml is absent
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


_YAML_HINTS = {
    "found character '\\t' that cannot start any token": (
        "er staat een tab in de inspringing; gebruik spaties"
    ),
    "found a tab character": "er staat een tab in de inspringing; gebruik spaties",
    "found unexpected end of stream": "een aanhalingsteken of haakje wordt niet gesloten",
    "mapping values are not allowed": (
        "een dubbele punt in een waarde; zet de waarde tussen aanhalingstekens"
    ),
    "could not find expected ':'": "een regel mist de dubbele punt na de sleutel",
    "did not find expected key": "de inspringing klopt niet of een aanhalingsteken ontbreekt",
    "found undefined tag handle": "een onbekende YAML-tag (!); haal die weg",
    "did not find expected ',' or ']'": "een [ wordt niet gesloten met ]",
    "did not find expected ',' or '}'": "een { wordt niet gesloten met }",
}


def _explain(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or str(error)
    for needle, hint in _YAML_HINTS.items():
        if needle in problem:
            return f"ongeldige YAML: {hint} ({problem})"
    if "could not determine a constructor" in problem:
        # Tags are never executed (safe loader); name the one found so it can be removed.
        tag = problem.rsplit("tag ", 1)[-1]
        return (
            f"ongeldige YAML: een tag als {tag} is niet toegestaan; haal die weg en "
            "schrijf gewone tekst, lijsten of sleutels"
        )
    return f"ongeldige YAML: {problem}; controleer aanhalingstekens, dubbele punten en inspringing"


def _error_mark(error: yaml.MarkedYAMLError) -> tuple[int, int]:
    """(0-based line, 1-based column or 0) of the useful spot of a YAML error."""
    # For an unclosed quote the context (where the string began) is the useful spot.
    # Likewise for an unclosed [ or {: the error surfaces lines later, where it ended.
    if (
        error.context
        and error.context_mark
        and ("quoted scalar" in error.context or "flow" in error.context)
    ):
        return error.context_mark.line, error.context_mark.column + 1
    mark = error.problem_mark or error.context_mark
    return (mark.line, mark.column + 1) if mark is not None else (0, 0)


def load_with_pyyaml(text: str, path: str, first_line: int, what: str) -> LoadedYaml:
    """PyYAML's safe loader, our structure checks and our error messages."""
    result = LoadedYaml(data={})
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return result
        if not isinstance(node, yaml.MappingNode):
            result.problems.append(
                Problem(
                    path,
                    first_line + node.start_mark.line,
                    f"de {what} moet bestaan uit regels 'sleutel: waarde', "
                    "niet uit een lijst of losse tekst",
                )
            )
            return result
        structural = _check_structure(node, path, first_line, result.lines, what)
        if structural:
            result.problems.extend(structural)
            return result
        data = clean_value(_construct(loader, node))
    except yaml.MarkedYAMLError as error:
        line, column = _error_mark(error)
        message = _explain(error)
        source_lines = text.split("\n")
        if (
            line < len(source_lines)
            and "\t"
            in source_lines[line][: len(source_lines[line]) - len(source_lines[line].lstrip())]
        ):
            message = "ongeldige YAML: er staat een tab in de inspringing; gebruik spaties"
        result.problems.append(Problem(path, first_line + line, message, column=column))
        return result
    except yaml.reader.ReaderError as error:  # callers clean such characters out first
        line = text.count("\n", 0, max(error.position, 0))
        message = (
            i18n.text("yaml-bad-character", detail=f"U+{error.character:04X}")
            if isinstance(error.character, int)
            else i18n.text("yaml-invalid", detail=error.reason)
        )
        result.problems.append(Problem(path, first_line + line, message))
        return result
    except (ValueError, TypeError, RecursionError) as error:
        result.problems.append(Problem(path, first_line, f"ongeldige YAML: {error}"))
        return result
    finally:
        loader.dispose()
    result.data = data
    return result


_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
# Scalars built by the loader's own constructor for their tag (our timestamp keeps text).
_SCALAR_TAGS = {_TAG + name for name in ("null", "bool", "int", "float", "timestamp")}


class _Unusual(Exception):
    """A node the quick construction leaves to PyYAML (tags like !!set or !!binary)."""


def _construct(loader, root: yaml.Node):
    """The document's value, built straight from the checked nodes: _check_structure has
    refused aliases, merge keys and duplicate keys, so plain lists, mappings and scalars
    need none of PyYAML's generic machinery (15-20% of the front matter's time at 10k
    pages). Anything else goes the generic way, with PyYAML's own errors."""
    try:
        return _quick(loader, root)
    except _Unusual:
        return loader.construct_document(root)


def _quick(loader, node: yaml.Node):
    tag = node.tag
    if tag == _STR and type(node) is yaml.ScalarNode:
        return node.value
    if tag in _SCALAR_TAGS and type(node) is yaml.ScalarNode:
        return loader.yaml_constructors[tag](loader, node)
    if tag == _SEQ and type(node) is yaml.SequenceNode:
        return [_quick(loader, child) for child in node.value]
    if tag == _MAP and type(node) is yaml.MappingNode:
        mapping = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _Unusual  # a list or mapping as a key: PyYAML says why not
            mapping[_quick(loader, key_node)] = _quick(loader, value_node)
        return mapping
    raise _Unusual


def _check_structure(
    root: yaml.MappingNode,
    path: str,
    first_line: int,
    lines: dict[tuple[str, ...], int],
    what: str = "front matter",
) -> list[Problem]:
    """Refuse aliases and duplicate keys; record lines of keys one and two deep."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, trail = stack.pop()
        if id(node) in seen:
            if any(p.line == first_line + node.start_mark.line for p in problems):
                continue
            problems.append(
                Problem(
                    path,
                    first_line + node.start_mark.line,
                    "YAML-ankers en -verwijzingen (& en *) worden niet ondersteund; "
                    "schrijf de waarde voluit",
                )
            )
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys_here: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                line = first_line + key_node.start_mark.line
                if key == "<<":
                    problems.append(
                        Problem(path, line, "YAML-samenvoegsleutels (<<) worden niet ondersteund")
                    )
                if key in keys_here:
                    problems.append(
                        Problem(
                            path,
                            line,
                            f"de sleutel '{key}' staat twee keer in {_container(trail, what)} "
                            f"(eerder op regel {keys_here[key]}); houd er één over",
                        )
                    )
                keys_here[key] = line
                if len(trail) < 4:  # deep enough for site.yaml's taxonomies.tags.synonyms.x
                    lines[(*trail, key)] = line
                stack.append((value_node, (*trail, key)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, trail) for child in node.value)
    return problems


def _container(trail: tuple[str, ...], what: str) -> str:
    return f"'{trail[-1]}'" if trail else ("de front matter" if what == "front matter" else what)
