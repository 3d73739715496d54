"""What one output depended on when it was made, as the cache keeps it (deps.py records
it, deferred.py completes a first build's)."""

from __future__ import annotations

import io
import pickle

QueryKey = tuple  # (attribute name, *argument keys)


class _PlainUnpickler(pickle.Unpickler):
    """Packed records hold only built-in values: tuples, strings, frozensets."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refused {module}.{name}")


# The questions of an output that can never count as unchanged: this one cannot be asked.
NEVER_FRESH = ((("__not-replayable__",), ""),)
# The context of a record whose digests a first build left to the next (see deferred.py):
# its questions are logged with "" for their answers' digests, its mentions are None.
DEFERRED = "deferred"
# A record that cannot be read: no digest matches it and its questions cannot be asked.
_DAMAGED = ("damaged", "damaged", NEVER_FRESH, "", frozenset())


class OutputRecord:
    """What one output depended on when it was made:
    template: digest of the template files used; context: digest of the render context;
    queries: site questions asked, with answer digests; output: digest of the bytes
    written; mentions: sources of the pages it showed or asked about (None: not known,
    in a record of a first build that left its digests to the next, DEFERRED).

    A record is made in a worker and mostly only passed along: to the parent process,
    into the cache and out again. So it travels as one packed bytes value (a cheap
    object to pickle and unpickle, where its ~100 small ones were 26 us) and is
    unpacked where its fields are read, by the workers that compare it."""

    __slots__ = ("_packed", "_fields")

    def __init__(
        self,
        template: str | bytes,
        context: str = "",
        queries: tuple[tuple[QueryKey, str], ...] = (),
        output: str = "",
        mentions: frozenset[str] | None = frozenset(),
    ):
        if type(template) is bytes:  # from pickle (__reduce__): the packed fields
            self._packed: bytes | None = template
            self._fields: tuple | None = None
        else:
            self._packed = None
            self._fields = (
                template,
                context,
                queries,
                output,
                None if mentions is None else frozenset(mentions),
            )

    def __reduce__(self):
        return (OutputRecord, (self.pack(),))

    def pack(self) -> bytes:
        """The packed fields, packed now if they were not yet. The render workers pack
        every record they make: the parent's own are then not packed later, when it
        saves the cache alone, and the workers' cross to it already packed."""
        if self._packed is None:
            self._packed = pickle.dumps(self._fields, protocol=pickle.HIGHEST_PROTOCOL)
        return self._packed

    def _unpacked(self) -> tuple:
        fields = self._fields
        if fields is None:
            try:
                fields = _PlainUnpickler(io.BytesIO(self._packed)).load()
            except Exception:  # damaged in the cache: like no record, its output is made again
                fields = None
            if type(fields) is not tuple or len(fields) != 5:
                fields = _DAMAGED
            self._fields, self._packed = fields, None  # packed again if pickled again
        return fields

    template = property(lambda self: self._unpacked()[0])
    context = property(lambda self: self._unpacked()[1])
    queries = property(lambda self: self._unpacked()[2])
    output = property(lambda self: self._unpacked()[3])
    mentions = property(lambda self: self._unpacked()[4])
    deferred = property(lambda self: self._unpacked()[1] == DEFERRED)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OutputRecord) and self._unpacked() == other._unpacked()

    def __hash__(self) -> int:
        return hash(self._unpacked())

    def __repr__(self) -> str:
        return "OutputRecord({!r}, {!r}, {!r}, {!r}, {!r})".format(*self._unpacked())
