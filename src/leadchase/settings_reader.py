"""Reading leadchase.toml's tree: parsing it, refusing names leadchase does not read, and typed
access to each value with errors that name the file, the line or table, the key and the fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadchase.errors import ConfigError
from leadchase.settings import (
    CadenceSettings,
    ComplianceSettings,
    ContactSettings,
    Officer,
    SecretsSettings,
    SmtpSection,
    TwilioSection,
)


def _keys(table: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(table))


# Every section of leadchase.toml and its keys; anything else is a typo and stops the command.
# The keys of [cadence.by_source], [sources.cost_per_lead] and [sources.families] are the user's
# own source names. The tables of settings_background.py are written out, so that checking the
# names does not build their classes (tests/test_config.py keeps them equal to the fields).
SECTIONS: dict[str, tuple[str, ...]] = {
    "officer": _keys(Officer),
    "contact": _keys(ContactSettings),
    "cadence": _keys(CadenceSettings),
    "sources": ("cost_per_lead", "families"),
    "database": ("url",),
    "twilio": _keys(TwilioSection),
    "smtp": _keys(SmtpSection),
    "compliance": _keys(ComplianceSettings),
    "replies": ("stage_on_reply",),
    "secrets": _keys(SecretsSettings),
    "daemon": ("send_every_seconds", "watch_dir"),
    "alerts": (
        "new_lead",
        "reply",
        "by_text",
        "by_email",
        "phone",
        "email",
        "hours_start",
        "hours_end",
    ),
    "assign": ("by_source", "round_robin"),
    "rates": ("margin",),
}


def parse_toml(path: Path) -> Callable[[bytes], dict[str, Any]]:
    def parse(data: bytes) -> dict[str, Any]:
        import tomllib

        try:
            return tomllib.loads(data.decode("utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: {error}; fix the TOML syntax") from None

    return parse


def check_names(path: Path, text: str, raw: dict[str, Any]) -> None:
    """Every section and key must be one leadchase reads: a typo would otherwise be dropped
    without a word and its default used instead."""
    for section, table in raw.items():
        if section not in SECTIONS:
            problem = f"no section [{section}]"
            raise _unknown(path, text, (section,), problem, tuple(SECTIONS), "[{}]")
        if not isinstance(table, dict):
            continue  # the reader says it must be a table
        for key in table:
            if key not in SECTIONS[section]:
                problem = f'[{section}] has no key "{key}"'
                raise _unknown(path, text, (section, key), problem, SECTIONS[section], '"{}"')


def _unknown(
    path: Path, text: str, keys: tuple[str, ...], problem: str, valid: tuple[str, ...], shape: str
) -> ConfigError:
    """The error for a name leadchase does not read: its line and the nearest valid name."""
    import difflib

    where = where_in_file(path, text, keys)
    near = difflib.get_close_matches(keys[-1], valid, n=1)
    if near:
        return ConfigError(f"{where}: {problem}; did you mean {shape.format(near[0])}?")
    shown = ", ".join(shape.format(name).strip('"') for name in valid)
    names = "the sections are" if len(keys) == 1 else "its keys are"
    return ConfigError(f"{where}: {problem}; {names}: {shown}")


def where_in_file(path: Path, text: str, keys: tuple[str, ...]) -> str:
    """ "path: line N" of the key (or the table holding it), or just the path."""
    from leadchase.toml_lines import key_lines, line_of

    line = line_of(key_lines(text), keys)
    return f"{path}: line {line}" if line else str(path)


class Reader:
    """Typed access to the TOML tree with errors that name the file, the key and the fix."""

    def __init__(self, path: Path, raw: dict[str, Any]) -> None:
        self.path = path
        self.raw = raw

    def _get(self, section: str, key: str) -> Any:
        table = self.raw.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{self.path}: [{section}] must be a table")
        value: Any = table
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def _fail(self, section: str, key: str, wanted: str) -> ConfigError:
        return ConfigError(f"{self.path}: [{section}] {key} must be {wanted}")

    def text(
        self, section: str, key: str, wanted: str = "a quoted string", *, strip: bool = True
    ) -> str:
        value = self._get(section, key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._fail(section, key, wanted)
        return value.strip() if strip else value

    def loose_text(self, section: str, key: str, default: str) -> str:
        """Any value as text (a port may be 587 or "587"); missing, empty or false: `default`."""
        value = self._get(section, key)
        return str(value) if value else default

    def above_zero(
        self, section: str, key: str, default: float, wanted: str = "a number above 0"
    ) -> float:
        value = self._get(section, key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self._fail(section, key, wanted)
        return float(value)

    def whole_above_zero(self, section: str, key: str, default: int) -> int:
        value = self._get(section, key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self._fail(section, key, "a whole number, 1 or more")
        return value

    def flag(self, section: str, key: str, default: bool) -> bool:
        value = self._get(section, key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(section, key, "true or false")
        return value

    def number(self, section: str, key: str, default: int) -> int:
        value = self._get(section, key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._fail(section, key, "a whole number, 0 or more")
        return value

    def clock(self, section: str, key: str, default: time) -> time:
        value = self._get(section, key)
        if value is None:
            return default
        try:
            return time.fromisoformat(str(value))
        except ValueError:
            raise self._fail(section, key, 'a time of day like "09:00"') from None

    def zone(self, section: str, key: str, default: str) -> str:
        value = self.text(section, key) or default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._fail(section, key, 'an IANA time zone like "America/Chicago"') from None
        return value

    def sources(self, section: str, key: str) -> dict[str, Any]:
        """A table of the user's source names; the caller checks the values."""
        value = self._get(section, key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._fail(section, key, "a table")
        return value

    def source_cadences(self) -> dict[str, str]:
        table = self.sources("cadence", "by_source")
        for name, cadence in table.items():
            if not isinstance(cadence, str):
                raise self._fail("cadence.by_source", f'"{name}"', "a quoted cadence name")
        return table

    def source_officers(self) -> dict[str, str]:
        table = self.sources("assign", "by_source")
        for pattern, officer in table.items():
            if not isinstance(officer, str) or not officer.strip():
                raise self._fail("assign.by_source", f'"{pattern}"', "a quoted officer name")
        return {pattern: officer.strip() for pattern, officer in table.items()}

    def source_families(self) -> dict[str, tuple[str, ...]]:
        table = self.sources("sources", "families")
        families = {}
        for name, patterns in table.items():
            listed = [patterns] if isinstance(patterns, str) else patterns
            if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
                raise self._fail(
                    "sources.families", f'"{name}"', 'a list of quoted source names, e.g. ["FB *"]'
                )
            families[name] = tuple(listed)
        return families

    def source_costs(self) -> dict[str, float]:
        table = self.sources("sources", "cost_per_lead")
        for name, cost in table.items():
            if isinstance(cost, bool) or not isinstance(cost, int | float):
                raise self._fail("sources.cost_per_lead", f'"{name}"', "a number of dollars")
        return {name: float(cost) for name, cost in table.items()}
