"""Safe YAML loading that remembers where every key stands.

PyYAML's safe loader never executes tags such as ``!!python/object/apply``;
on top of that we refuse anchors and aliases (no alias bombs), refuse
duplicate keys (YAML silently keeps the last one), and keep timestamps as
strings so that date validation can name the line of a bad date.

Nearly all front matter and site.yaml files are read by generator/quickyaml.py;
PyYAML (generator/yamlpyyaml.py) is imported only for what that declines, so that a
build whose YAML is all simple never loads it: its import was a tenth of the time a
build took to start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.errors import Problem
from generator.quickyaml import quick_mapping


@dataclass(slots=True)
class LoadedYaml:
    data: dict
    # (key,), (key, subkey), ... up to four deep -> 1-based line in the file
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, *keys: str, default: int = 0) -> int:
        return self.lines.get(tuple(keys), default)


def load_mapping(
    text: str, path: str, first_line: int = 1, what: str = "front matter"
) -> LoadedYaml:
    """Parse `text` (which starts at `first_line` of `path`) as a YAML mapping."""
    quick = quick_mapping(text, first_line)  # the common simple case, ~5x faster
    if quick is None:
        from generator.yamlpyyaml import load_with_pyyaml

        return load_with_pyyaml(text, path, first_line, what)
    data, lines = quick
    return LoadedYaml(data=data, lines=lines)
