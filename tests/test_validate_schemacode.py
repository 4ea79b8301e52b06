"""The compiled schema checks kept in the user's cache folder answer as a fresh compile does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest

from conftest import ROOT
from warroom import schemacode, schemas
from warroom.resources import schema_text
from warroom.yamlload import load_file

NAMES = ("incident", "config")


def _load(name: str, directory: Path, text: str | None = None) -> Any:
    return schemacode.load(name, text or schema_text(name), schemas._prepare,
                           dict(schemas.FORMATS), directory)


def _answers(func: Any, documents: list[Any]) -> list[bool]:
    out = []
    for data in documents:
        try:
            func(data)
        except fastjsonschema.JsonSchemaValueException:
            out.append(False)
        else:
            out.append(True)
    return out


def _documents() -> list[Any]:
    """Every example incident, valid and invalid, plus a few mutations and non-mappings."""
    docs: list[Any] = [[], "text", None, {}]
    for path in sorted((ROOT / "tests" / "cases").rglob("*.y*ml")):
        if path.stat().st_size > 100_000:
            continue  # the size-limit case: refused before any schema
        doc, _ = load_file(path, path.name)
        if doc is not None:
            docs.append(doc.data)
            if isinstance(doc.data, dict):
                docs.append({**doc.data, "unknown_field": 1})
                docs.append({**doc.data, "declared_at": "2026-01-01T10:00:00"})
    return docs


@pytest.mark.parametrize("name", NAMES)
def test_cached_code_answers_as_a_fresh_compile(name: str, tmp_path: Path) -> None:
    fresh = fastjsonschema.compile(schemas._prepare(schema_text(name)),
                                   formats=dict(schemas.FORMATS), use_default=False)
    docs = _documents()
    expected = _answers(fresh, docs)
    assert True in expected and False in expected
    assert _answers(_load(name, tmp_path), docs) == expected  # compiled, then written
    assert len(list(tmp_path.iterdir())) == 1
    assert _answers(_load(name, tmp_path), docs) == expected  # read back


def test_a_second_load_does_not_compile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    _load("incident", tmp_path)

    def refuse(*args: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(schemacode, "_generate", refuse)
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        _load("incident", tmp_path)({"id": 1})


@pytest.mark.parametrize("damage", [b"", b"not marshal", b"\xe9\x02", None])
def test_a_damaged_file_is_compiled_again(tmp_path: Path, damage: bytes | None) -> None:
    _load("incident", tmp_path)
    (stored,) = tmp_path.iterdir()
    if damage is None:  # well-formed marshal data of the wrong shape
        import marshal

        damage = marshal.dumps(("validate_x", 42))
    stored.write_bytes(damage)
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        _load("incident", tmp_path)({"id": 1})
    assert stored.read_bytes() != damage  # rewritten


def test_an_edited_schema_gets_new_code_and_the_old_is_dropped(tmp_path: Path) -> None:
    _load("incident", tmp_path)
    (old,) = tmp_path.iterdir()
    schema = json.loads(schema_text("incident"))
    schema["properties"]["id"]["maxLength"] = 3
    func = _load("incident", tmp_path, json.dumps(schema))
    (new,) = tmp_path.iterdir()
    assert new != old
    doc, _ = load_file(next((ROOT / "tests" / "cases" / "valid").glob("*.yaml")), "x")
    assert doc is not None
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        func(doc.data)


def test_an_unusable_cache_folder_still_validates(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(fastjsonschema.JsonSchemaValueException):
        _load("incident", blocker / "warroom")({"id": 1})


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert schemacode.code_dir() == tmp_path / "warroom"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert schemacode.code_dir() == tmp_path / "home" / ".cache" / "warroom"
