"""Quick pickling for slotted data classes (frozen or not).

Python's dataclasses give such classes `__getstate__`/`__setstate__` that call
`dataclasses.fields()` for every object; with ~150,000 objects in a 10,000-page
cache that was a second per save and per load. These do the same with the
field names looked up once per class.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter

_set = object.__setattr__


def quick_state(cls: type) -> type:
    names = tuple(field.name for field in dataclasses.fields(cls))
    values = attrgetter(*names)

    if len(names) == 1:

        def __getstate__(self):  # noqa: N807 - the pickle protocol's name
            return (values(self),)
    else:

        def __getstate__(self):  # noqa: N807
            return values(self)

    cls.__getstate__ = __getstate__
    cls.__setstate__ = _setter(names)
    return cls


def _setter(names: tuple[str, ...]):
    """`__setstate__` with one statement per field (no loop): the parent unpickles every
    page its workers parsed, and a loop over the names took twice as long."""
    values = [f"_{i}" for i in range(len(names))]
    lines = ["def __setstate__(self, state, _set=_set):", f"    {', '.join(values)}, = state"]
    lines += [
        f"    _set(self, {name!r}, {value})" for name, value in zip(names, values, strict=True)
    ]
    namespace = {"_set": _set}
    exec("\n".join(lines), namespace)  # noqa: S102 - code made from field names, as dataclasses do
    return namespace["__setstate__"]
