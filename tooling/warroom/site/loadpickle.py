"""How the load cache pickles incidents, and reads them back without running code.

Entries hold Incident and Problem values (frozen dataclasses), so they are pickled as
objects; they are read with an allow-list unpickler: a planted cache cannot call anything
but the constructors of our own plain classes and of a few datetime types.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from datetime import datetime
from typing import Any

_ALLOWED = {
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("builtins", "frozenset"), ("builtins", "set"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
}
_ALLOWED_MODULES = {"warroom.model", "warroom.problems"}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # A dotted name (protocol 4) walks attributes: "Incident.__init__.__builtins__"
        # would reach eval. Only plain names, and in our modules only classes they define.
        if "." in name:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module in _ALLOWED_MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError,
               TypeError, IndexError, KeyError, MemoryError, RecursionError)


def _safe_load(raw: bytes) -> Any:
    return _Unpickler(io.BytesIO(raw)).load()


_NEWOBJ = copyreg.__newobj__  # type: ignore[attr-defined]  # (not in typeshed)


class _Sharing(pickle.Pickler):
    """Pickles equal strings and times once. Most of an incident's strings are a few
    values written again and again (statuses, visibility, authors, component ids, each
    file's path twice), and most of its times stand in two fields; pickle shares only the
    same object, so each equal value would be made anew when the cache is read. Made once,
    the cache is a third smaller and loads faster (making 10^6 objects is what loading it
    costs). The opcodes are those pickle writes anyway: the allow-list is unchanged."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._values: dict[Any, Any] = {}

    def share(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self._values.setdefault(value, value)
        if kind is datetime:
            # Equal instants with the same offset object and fold pickle the same bytes.
            return self._values.setdefault((value, value.fold, id(value.tzinfo)), value)
        if kind is tuple:
            return tuple([self.share(item) for item in value])
        if kind is dict:
            return {self.share(k): self.share(v) for k, v in value.items()}
        if kind.__module__ in _ALLOWED_MODULES and hasattr(kind, "__dataclass_fields__"):
            # A frozen value of strings only (a component's impact, a link): one object for
            # equal ones. Not others: equal times or numbers can be written differently.
            fields = tuple(getattr(value, "__dict__", {None: 0}).values())
            if all(type(v) is str or v is None for v in fields):
                return self._values.setdefault((kind, fields), value)
        return value

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind.__module__ in _ALLOWED_MODULES and hasattr(kind, "__dataclass_fields__"):
            state = getattr(obj, "__dict__", None)
            if state is not None:  # what object.__reduce_ex__ gives, with values shared
                share = self.share
                return _NEWOBJ, (kind,), {k: share(v) for k, v in state.items()}
        return NotImplemented


def dump(value: Any) -> bytes:
    """Pickled with equal strings and times shared (a dict's keys too, at the top)."""
    out = io.BytesIO()
    pickler = _Sharing(out)
    if type(value) is dict:
        value = {pickler.share(k): v for k, v in value.items()}
    pickler.dump(value)
    return out.getvalue()
