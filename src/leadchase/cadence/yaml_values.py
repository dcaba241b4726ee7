"""YAML values as cadence files use them: read as typed, checked with messages for the editor.

Scalars stay text, so YAML 1.1 surprises (9:30 read as the number 570, `no` read as false)
cannot happen; each helper raises a CadenceError that says what to write instead.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TypeAlias

from leadchase.errors import CadenceError

# A YAML value exactly as typed: text, None when empty, lists and mappings.
Raw: TypeAlias = "str | list[Raw] | dict[str, Raw] | None"
_TRUE, _FALSE = ("true", "yes", "on"), ("false", "no", "off")


def read_yaml(path: Path) -> Raw:
    return yaml_of(path, read_bytes(path))


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CadenceError(f"cannot read the file: {error.strerror}") from None


def yaml_of(path: Path, data: bytes) -> Raw:
    """The YAML in `data`, the bytes of `path`."""
    from leadchase.parsed_cache import parsed

    # Parsed once per change of the file's bytes: PyYAML is imported only then.
    return parsed(path, data, _parse_yaml)


def _parse_yaml(data: bytes) -> Raw:
    import yaml  # 14 ms: paid when a cadence file changed, not by every `leadchase` start

    def plain(node: yaml.Node) -> Raw:
        if isinstance(node, yaml.MappingNode):
            fields: dict[str, Raw] = {}
            for key_node, value_node in node.value:
                key = str(plain(key_node))  # an odd key ([a, b]: ...) then fails as unknown
                if key in fields:
                    line = key_node.start_mark.line + 1
                    raise CadenceError(f"'{key}' appears twice (line {line}; keep one)")
                fields[key] = plain(value_node)
            return fields
        if isinstance(node, yaml.SequenceNode):
            return [plain(item) for item in node.value]
        return None if node.tag.endswith(":null") else str(node.value).strip()

    try:
        # libyaml's parser when PyYAML has it: the same nodes and marks, many times faster.
        root = yaml.compose(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
        raise CadenceError(
            f"YAML syntax error{where}: {error.problem or error.context} "
            "(check the indentation and quote text that contains ': ' or ' #')"
        ) from None
    except yaml.YAMLError:
        raise CadenceError("the file is not UTF-8 text (save it as UTF-8)") from None
    return None if root is None else plain(root)


def listed(items: Collection[object]) -> str:
    return ", ".join(map(str, items))


def check_keys(fields: dict[str, Raw], allowed: tuple[str, ...], where: str) -> None:
    unknown = [key for key in fields if key not in allowed]
    if unknown:  # a key with spaces is usually text with a comma inside { ... }
        fix = "quote text with commas" if " " in unknown[0] else f"use {listed(allowed)}"
        raise CadenceError(f"unknown key '{unknown[0]}'{where} ({fix})")


def fields_of(value: Raw, what: str) -> dict[str, Raw]:
    if value is None:
        raise CadenceError(f"{what} is empty (see docs/cadences.md for the format)")
    if not isinstance(value, dict):
        raise CadenceError(f"{what} must be 'key: value' lines")
    return value


def single(value: Raw, what: str) -> str:
    if isinstance(value, list | dict):
        raise CadenceError(f"{what} must be a single value, not a list or mapping")
    return value or ""


def values_list(value: Raw, what: str) -> list[Raw]:
    """A YAML list; a lone value counts as a list of one, where that reads naturally."""
    if isinstance(value, dict):
        raise CadenceError(f"{what} must be a list")
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def flag(value: Raw, what: str) -> bool:
    text = single(value, what).lower()
    if text not in _TRUE + _FALSE:
        raise CadenceError(f"{what} must be true or false, not '{text}'")
    return text in _TRUE
