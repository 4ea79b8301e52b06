"""The fast schema checks, compiled once per install rather than once per run.

fastjsonschema writes a schema out as Python source and compiles it; for our two schemas
that costs 100-200 ms, more than all of `warroom validate`'s imports, on every start. The
compiled code object depends only on warroom itself (the schema text, this package's code,
fastjsonschema's version and the Python version), so it is marshalled once into the
user's cache folder (`$XDG_CACHE_HOME/warroom`, else `~/.cache/warroom`), keyed by all of
those, and read back in well under a millisecond.

Not in the repository's cache folder: a checkout's files come from the author, and a pull
request could plant code there that a CI run would then execute. Not beside warroom's
bytecode either: a system install is read-only there, and PYTHONDONTWRITEBYTECODE
checkouts have no `__pycache__`. Where the cache folder cannot be written, the code is
compiled in memory each run, as before.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from functools import partial, update_wrapper
from pathlib import Path
from types import CodeType
from typing import Any

import fastjsonschema

_PACKAGE = Path(__file__).resolve().parent
PREFIX = "schema-"
SUFFIX = ".marshal"

Formats = dict[str, Callable[[object], bool]]


def code_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "warroom"


def key(name: str, text: str, formats: Formats) -> str:
    """Everything the compiled code depends on; a change of any compiles afresh."""
    digest = hashlib.sha256(f"{name}\0{text}\0".encode())
    for module in ("schemas.py", "schemacode.py"):  # how the schema is prepared and compiled
        digest.update((_PACKAGE / module).read_bytes())
    digest.update(f"\0{fastjsonschema.VERSION}\0{sys.version}\0{sorted(formats)}".encode())
    return digest.hexdigest()[:32]


def _generate(schema: dict[str, Any], formats: Formats) -> tuple[str, CodeType]:
    from fastjsonschema.ref_resolver import RefResolver

    source = fastjsonschema.compile_to_code(schema, formats=formats, use_default=False)
    entry = RefResolver.from_schema(schema, store={}).get_scope_name()
    return entry, compile(source, f"<schema {schema.get('$id', '')}>", "exec")


def _read(path: Path) -> tuple[str, CodeType] | None:
    try:
        stored = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], str)
            and isinstance(stored[1], CodeType)):
        return stored[0], stored[1]
    return None  # damaged or foreign: compiled afresh, never trusted half-way


def _write(directory: Path, name: str, path: Path, entry: str, code: CodeType) -> None:
    """Write atomically (parallel runs may race), dropping this schema's older versions."""
    import tempfile  # only the run that compiles pays for it

    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(marshal.dumps((entry, code)))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in directory.glob(f"{PREFIX}{name}-*{SUFFIX}"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return  # no writable cache folder: compile in memory next time too


def load(name: str, text: str, prepare: Callable[[str], dict[str, Any]], formats: Formats,
         directory: Path | None = None) -> Callable[[Any], Any]:
    """The validator of schema `name` (JSON `text`, turned into the compiled schema by
    `prepare`), behaving as `fastjsonschema.compile(..., use_default=False)` would."""
    directory = code_dir() if directory is None else directory
    path = directory / f"{PREFIX}{name}-{key(name, text, formats)}{SUFFIX}"
    found = _read(path)
    if found is None:
        found = _generate(prepare(text), formats)
        _write(directory, name, path, *found)
    entry, code = found
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # warroom's own generated code, from the user's own cache
    func: Callable[..., Any] = namespace[entry]
    return update_wrapper(partial(func, custom_formats=formats), func)

