"""Checking the configuration people edit in YAML: what is wrong, in Russian, with the file and the line.

The pieces every stage's own check shares: a `Problem` (file, line, message), a YAML reader that keeps
the line of every key and list item (`read_yaml`), pydantic's validation errors turned into problems at
the line of the key they name (`validation_problems`), and «похожие: …» suggestions for a misspelt code.
Each stage keeps its model next to its code and exposes a function returning its problems; the command
`edu-quality check` runs them all.
"""
from __future__ import annotations

import difflib
import pickle
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from edu_quality.config import PATHS

Loc = tuple  # a path into a YAML document: keys (str) and list positions (int)


@dataclass(frozen=True)
class Problem:
    file: str             # as shown to people: relative to the project root when inside it
    line: int | None      # 1-based; None when the problem is the file as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.file}, строка {self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class ConfigError(ValueError):
    """A configuration file that does not pass its check; `problems` says what and where."""

    def __init__(self, problems: Iterable[Problem] | str):
        self.problems = [] if isinstance(problems, str) else list(problems)
        super().__init__(problems if isinstance(problems, str) else "\n".join(str(p) for p in self.problems))


def shown(path: Path, base: Path | None = None) -> str:
    """The path people see: relative to `base` (the project checked), else to the project, else as is."""
    path = Path(path).resolve()
    for root in (base, PATHS.root):
        if root is not None:
            try:
                return path.relative_to(Path(root).resolve()).as_posix()
            except ValueError:
                pass
    return str(path)


@dataclass
class Located:
    """A YAML document (`data`, exactly what yaml.safe_load gives) and the line of every key and item."""
    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int]] = field(default_factory=list)

    def line(self, loc: Loc) -> int | None:
        """The line of the deepest part of `loc` the document has (a missing key: its parent's line).
        Parts of a pydantic location that are not in the document (a union member's tag) are skipped."""
        found: Loc = ()
        for part in loc:
            if found + (part,) in self.lines:
                found += (part,)
        return self.lines.get(found)

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.file, self.line(loc), message)


def _walk(node: yaml.Node, path: Loc, doc: Located) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = path + (key.value if isinstance(key, yaml.ScalarNode) else str(key.value),)
            if here in doc.lines:
                doc.duplicates.append((here, key.start_mark.line + 1))
            doc.lines[here] = key.start_mark.line + 1
            _walk(value, here, doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), doc)


def parse_yaml(text: str, file: str) -> Located:
    """One parse gives both the data (as yaml.safe_load) and the nodes with their lines. The same text is parsed
    once per process (the documents read the catalogues and settings for each municipality: PyYAML's parser, which
    gives the lines, was most of their time); each caller gets its own copy, free to change."""
    return pickle.loads(_parsed(text, file))


@lru_cache(maxsize=128)
def _parsed(text: str, file: str) -> bytes:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        doc = Located(file, loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()
    if node is not None:
        doc.lines[()] = node.start_mark.line + 1
        _walk(node, (), doc)
    return pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)


def read_yaml(path: Path, base: Path | None = None) -> tuple[Located | None, list[Problem]]:
    """The document, or None and the problem that stops it being read (no file, not YAML)."""
    file = shown(path, base)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(file, None, "файл не найден")]
    except UnicodeDecodeError:
        return None, [Problem(file, None, "файл не в кодировке UTF-8")]
    try:
        doc = parse_yaml(text, file)
    except yaml.YAMLError as exc:
        mark, begun = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        if begun is not None and (mark is None or begun.line != mark.line):
            what += f"; начато в строке {begun.line + 1}"
        return None, [Problem(file, mark.line + 1 if mark else None,
                              f"файл не читается как YAML ({what}); проверьте отступы, двоеточия, скобки и кавычки")]
    problems = [Problem(file, line, f"ключ «{loc[-1]}» повторяется: действовало бы только последнее значение")
                for loc, line in doc.duplicates]
    return doc, problems


def similar(name: str, candidates: Iterable[str]) -> str:
    """« (похожие: a, b)» for a misspelt name, or nothing."""
    close = difflib.get_close_matches(str(name), sorted(set(candidates)), n=3, cutoff=0.6)
    return f" (похожие: {', '.join(close)})" if close else ""


def where(loc: Loc) -> str:
    """risk_profile.factors[3].metrics[0]: a location as people read it."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def item_label(items, word: str):
    """For a file that is a list of coded items: a location as «правило R-07, поле when.level»."""
    def label(loc: Loc) -> str:
        if not loc or not isinstance(loc[0], int):
            return where(loc)
        item = items[loc[0]] if isinstance(items, list) and loc[0] < len(items) else None
        code = item.get("code") if isinstance(item, dict) else None
        name = f"{word} {code}" if code else f"{word} №{loc[0] + 1}"
        rest = where(loc[1:])
        return f"{name}, поле {rest}" if rest else name
    return label


def _unwrap(annotation):
    """The model or container inside Optional[...] / Annotated[...] / X | None."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def fields_at(model, loc: Loc) -> list[str]:
    """The field names the model expects at `loc` (for an unknown key's suggestion); [] if not a model."""
    current = model
    for part in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return []
            current = info.annotation
        elif origin in (list, tuple, dict):
            args = typing.get_args(current)
            current = args[-1] if args else None
        else:
            return []
    current = _unwrap(current)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _expected(ctx: dict) -> str:
    expected = str(ctx.get("expected", ""))
    values = re.findall(r"'([^']*)'", expected)
    return ", ".join(f"«{v}»" for v in values) if values else expected


_MESSAGES = {
    "int_type": "ожидается целое число", "int_parsing": "ожидается целое число",
    "int_from_float": "ожидается целое число", "float_type": "ожидается число", "float_parsing": "ожидается число",
    "string_type": "ожидается текст", "bool_type": "ожидается true или false",
    "bool_parsing": "ожидается true или false", "list_type": "ожидается список",
    "tuple_type": "ожидается список", "dict_type": "ожидается набор «ключ: значение»",
    "model_type": "ожидается набор «ключ: значение»", "model_attributes_type": "ожидается набор «ключ: значение»",
    "string_too_short": "значение не может быть пустым", "finite_number": "ожидается конечное число",
}


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(error: dict, model) -> str:
    kind, ctx, loc = error["type"], error.get("ctx") or {}, error["loc"]
    value = error.get("input")
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return f"нет обязательного поля «{loc[-1]}»"
    if kind == "extra_forbidden":
        known = fields_at(model, loc[:-1])
        hint = similar(str(loc[-1]), known) or (f" (допустимы: {', '.join(known)})" if known else "")
        return f"неизвестное поле «{loc[-1]}»{hint}"
    if kind in ("literal_error", "enum"):
        return f"значение «{value}» не допускается; ожидается одно из: {_expected(ctx)}"
    bounds = {"greater_than": "больше", "greater_than_equal": "не меньше", "less_than": "меньше",
              "less_than_equal": "не больше"}
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        return f"значение {_number(value)} должно быть {bounds[kind]} {_number(limit)}"
    if kind in ("too_short", "too_long"):
        return f"ожидается список длиной от {ctx.get('min_length', 0)} до {ctx.get('max_length', '∞')}, " \
               f"указано элементов: {ctx.get('actual_length', '?')}"
    if kind == "string_pattern_mismatch":
        return f"значение «{value}» не соответствует образцу {ctx.get('pattern')}"
    if kind in _MESSAGES:
        return f"{_MESSAGES[kind]}, указано «{value}»"
    return error["msg"]


def validation_problems(err: ValidationError, doc: Located, model=None, label=where, prefix: Loc = ()) -> list[Problem]:
    """Each error of a pydantic validation as a problem at the line of the key it names: `label(loc)`
    names the place (by default the dotted path), `model` lets an unknown key get a suggestion, `prefix`
    is where in the document the validated value lies."""
    problems = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        # A missing or unknown key is named in the message; the place is its parent.
        place = label(prefix + (loc[:-1] if error["type"] in ("missing", "extra_forbidden") else loc))
        problems.append(doc.problem(prefix + loc, (f"{place}: " if place else "") + _message(error, model)))
    return problems
