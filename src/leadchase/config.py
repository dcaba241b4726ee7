"""Workspace settings: leadchase.toml, with the environment overriding where docs/configuration.md says.

Each table of the file is a frozen dataclass here, its keys the fields, read and checked once
when the settings load: a value of the wrong type stops every command (exit code 3) naming the
file, the table and the key. The texts of [twilio], [smtp], [replies] and [secrets] take any
value as text (an SMTP port may be 587 or "587"), as they always have. Code reads typed fields
(`settings.daemon.send_every_seconds`), never the TOML.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadchase.errors import ConfigError
from leadchase.workspace import Workspace


def default_settings_text() -> str:
    return (Path(__file__).parent / "data" / "leadchase.toml").read_text(encoding="utf-8")


# [officer] equal_housing -> the line under the email signature ("" is no line).
EQUAL_HOUSING_LINES = {
    "opportunity": "Equal Housing Opportunity",
    "lender": "Equal Housing Lender",
    "": "",
}


# [officer] keys every automated text or email needs before one is sent: who writes, for
# which company, how to call back, and the postal address the law wants in an email.
SIGNED_WITH = ("name", "company", "phone", "postal_address")


@dataclass(frozen=True)
class Officer:
    """The loan officer the leads hear from: [officer] in leadchase.toml, and what templates
    see as `officer.*` (first_name included)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    company: str = ""
    postal_address: str = ""
    nmls: str = ""
    equal_housing: str = ""  # a key of EQUAL_HOUSING_LINES
    signature: str = ""  # a line under the name in the email signature, e.g. a title

    @property
    def missing(self) -> tuple[str, ...]:
        """The keys automated messages are signed with that are still empty."""
        return tuple(key for key in SIGNED_WITH if not getattr(self, key).strip())

    @property
    def first_name(self) -> str:
        """The first word of the name: texts are signed with it."""
        return self.name.split()[0] if self.name.split() else ""

    @property
    def phone_for_people(self) -> str:
        """The phone as leads read it: "(305) 555-0123" for a US number, "+44 20 7946 0958"
        for another country's; as typed when it is not a phone number."""
        return _phone_for_people(self.phone)

    @property
    def equal_housing_line(self) -> str:
        return EQUAL_HOUSING_LINES[self.equal_housing]


# phonenumbers' parse is slow, and every message signature asks for the phone of an officer
# copied with placeholders (a new object each time): cached by the phone itself.
@cache
def _phone_for_people(phone: str) -> str:
    # No digit, no number (phonenumbers wants at least two): the "[your phone]" placeholder of
    # a new workspace is shown as typed without importing phonenumbers (12 ms).
    if not any(character.isdigit() for character in phone):
        return phone
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(number):
        return phone
    shape = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        number, shape.NATIONAL if number.country_code == 1 else shape.INTERNATIONAL
    )


@dataclass(frozen=True)
class ContactSettings:
    window_start: time = time(9)
    window_end: time = time(20)
    skip_weekends: bool = False
    skip_holidays: bool = True
    default_timezone: str = "America/New_York"


@dataclass(frozen=True)
class CadenceSettings:
    default: str = "internet-lead"
    aged_after_days: int = 30
    aged_cadence: str = "aged-lead"
    by_source: dict[str, str] = field(default_factory=dict)

    def for_source(self, source: str) -> str | None:
        """The cadence the source map (case-insensitive) names for a source, if it names one."""
        wanted = source.strip().casefold()
        for name, cadence in self.by_source.items():
            if name.strip().casefold() == wanted:
                return cadence
        return None


@dataclass(frozen=True)
class AssignSettings:
    """[assign]: which officer a new lead goes to when `import --officer` names none."""

    # Source pattern ("Zillow*", any case) -> officer name; the first pattern that matches wins.
    by_source: dict[str, str] = field(default_factory=dict)
    # Leads no pattern matches are dealt in turn among the active officers; else they stay
    # with the default officer ([officer]).
    round_robin: bool = False

    def pattern_for(self, source: str) -> str | None:
        """The first pattern that matches `source`, if one does."""
        from fnmatch import fnmatchcase

        wanted = source.strip().casefold()
        for pattern in self.by_source:
            if fnmatchcase(wanted, pattern.strip().casefold()):
                return pattern
        return None


@dataclass(frozen=True)
class TwilioSection:
    """[twilio]: the non-secret sending settings. channels/config.py lays the environment and
    the secrets file over them (TwilioSettings), so this is what the file says, no more."""

    from_number: str = ""
    messaging_service_sid: str = ""
    messages_per_second: float = 1.0
    max_segments: int = 10  # a longer text is held, not sent (messaging/segments.py)
    # Where Twilio reaches the daemon's listener (https://...): webhooks are checked against it
    # and texts ask for delivery statuses there. "" for none: `sync` polls instead.
    public_url: str = ""


@dataclass(frozen=True)
class SmtpSection:
    """[smtp]: what the file says; channels/config.py lays the environment over it (SmtpSettings)
    and checks the port and TLS mode there, since the environment may set them."""

    host: str = ""
    port: str = "587"
    user: str = ""
    tls: str = "starttls"
    from_address: str = ""


@dataclass(frozen=True)
class ComplianceSettings:
    require_consent_for_auto_text: bool = False


@dataclass(frozen=True)
class ReplySettings:
    stage_on_reply: str = "engaged"


@dataclass(frozen=True)
class SecretsSettings:
    file: str = ""  # a KEY=value file for secrets the environment lacks; "" for none


@dataclass(frozen=True)
class DaemonSettings:
    send_every_seconds: float = 60.0
    watch_dir: str = ""  # as written: relative to the workspace, "~" allowed; "" for none


@dataclass(frozen=True)
class AlertSettings:
    """[alerts]: tell the officer at once about a new lead or a reply (alerts.py). Off until
    turned on, so a workspace made before them sends nothing new."""

    new_lead: bool = False
    reply: bool = False
    by_text: bool = True
    by_email: bool = False
    phone: str = ""  # "" for [officer] phone
    email: str = ""  # "" for [officer] email
    # In your own zone ([contact] default_timezone); alerts raised outside wait for these hours.
    hours_start: time = time(7)
    hours_end: time = time(21)


@dataclass(frozen=True)
class RateSettings:
    # Points a past client's note rate must be above today's rate for a rate-drop alert.
    margin: float = 0.75


@dataclass(frozen=True)
class Settings:
    workspace: Workspace
    officer: Officer
    contact: ContactSettings
    cadence: CadenceSettings
    database_url: str
    cost_per_lead: dict[str, float]
    twilio: TwilioSection
    smtp: SmtpSection
    compliance: ComplianceSettings
    replies: ReplySettings
    secrets: SecretsSettings
    daemon: DaemonSettings
    alerts: AlertSettings = field(default_factory=AlertSettings)
    assign: AssignSettings = field(default_factory=AssignSettings)
    # [sources.families]: family -> the source names (shell-style patterns) it groups.
    source_families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rates: RateSettings = field(default_factory=RateSettings)


def _keys(table: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(table))


# Every section of leadchase.toml and its keys; anything else is a typo and stops the command.
# The keys of [cadence.by_source], [sources.cost_per_lead] and [sources.families] are the user's
# own source names.
SECTIONS: dict[str, tuple[str, ...]] = {
    "officer": _keys(Officer),
    "contact": _keys(ContactSettings),
    "cadence": _keys(CadenceSettings),
    "sources": ("cost_per_lead", "families"),
    "database": ("url",),
    "twilio": _keys(TwilioSection),
    "smtp": _keys(SmtpSection),
    "compliance": _keys(ComplianceSettings),
    "replies": _keys(ReplySettings),
    "secrets": _keys(SecretsSettings),
    "daemon": _keys(DaemonSettings),
    "alerts": _keys(AlertSettings),
    "assign": _keys(AssignSettings),
    "rates": _keys(RateSettings),
}


def load_settings(workspace: Workspace) -> Settings:
    from leadchase.parsed_cache import parsed

    path = workspace.settings_file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    # Parsed once per change of the file (parsed_cache.py): tomllib is imported only then.
    raw: dict[str, Any] = parsed(path, text.encode("utf-8"), _parse_toml(path))
    _check_names(path, text, raw)
    reader = _Reader(path, raw)
    officer = Officer(**{key: reader.text("officer", key) for key in Officer.__dataclass_fields__})
    if officer.equal_housing not in EQUAL_HOUSING_LINES:
        raise ConfigError(
            f'{path}: [officer] equal_housing must be "opportunity", "lender" or "" (no line)'
        )
    contact = ContactSettings(
        window_start=reader.clock("contact", "window_start", time(9)),
        window_end=reader.clock("contact", "window_end", time(20)),
        skip_weekends=reader.flag("contact", "skip_weekends", False),
        skip_holidays=reader.flag("contact", "skip_holidays", True),
        default_timezone=reader.zone("contact", "default_timezone", "America/New_York"),
    )
    if contact.window_end <= contact.window_start:
        raise ConfigError(
            f"{path}: [contact] window_end must be after window_start "
            f"({contact.window_start:%H:%M}-{contact.window_end:%H:%M})"
        )
    cadence = CadenceSettings(
        default=reader.text("cadence", "default") or "internet-lead",
        aged_after_days=reader.number("cadence", "aged_after_days", 30),
        aged_cadence=reader.text("cadence", "aged_cadence") or "aged-lead",
        by_source=reader.source_cadences(),
    )
    alerts = AlertSettings(
        **{key: reader.flag("alerts", key, False) for key in ("new_lead", "reply", "by_email")},
        by_text=reader.flag("alerts", "by_text", True),
        phone=reader.text("alerts", "phone"),
        email=reader.text("alerts", "email"),
        hours_start=reader.clock("alerts", "hours_start", time(7)),
        hours_end=reader.clock("alerts", "hours_end", time(21)),
    )
    if alerts.hours_end <= alerts.hours_start:
        raise ConfigError(
            f"{path}: [alerts] hours_end must be after hours_start "
            f"({alerts.hours_start:%H:%M}-{alerts.hours_end:%H:%M})"
        )
    costs = reader.source_costs()
    url = reader.text("database", "url") or f"sqlite:///{workspace.default_database}"
    return Settings(
        workspace,
        officer,
        contact,
        cadence,
        url,
        costs,
        twilio=TwilioSection(
            from_number=reader.loose_text("twilio", "from_number", ""),
            messaging_service_sid=reader.loose_text("twilio", "messaging_service_sid", ""),
            messages_per_second=reader.above_zero("twilio", "messages_per_second", 1.0),
            max_segments=reader.whole_above_zero("twilio", "max_segments", 10),
            public_url=reader.loose_text("twilio", "public_url", ""),
        ),
        smtp=SmtpSection(
            host=reader.loose_text("smtp", "host", ""),
            port=reader.loose_text("smtp", "port", "587"),
            user=reader.loose_text("smtp", "user", ""),
            tls=reader.loose_text("smtp", "tls", "starttls"),
            from_address=reader.loose_text("smtp", "from_address", ""),
        ),
        compliance=ComplianceSettings(
            reader.flag("compliance", "require_consent_for_auto_text", False)
        ),
        replies=ReplySettings(reader.loose_text("replies", "stage_on_reply", "engaged")),
        secrets=SecretsSettings(reader.loose_text("secrets", "file", "").strip()),
        daemon=DaemonSettings(
            send_every_seconds=reader.above_zero(
                "daemon", "send_every_seconds", 60.0, "a number of seconds above 0"
            ),
            watch_dir=reader.text(
                "daemon", "watch_dir", 'a quoted folder path, or "" for none', strip=False
            ),
        ),
        alerts=alerts,
        assign=AssignSettings(
            by_source=reader.source_officers(),
            round_robin=reader.flag("assign", "round_robin", False),
        ),
        source_families=reader.source_families(),
        rates=RateSettings(
            margin=reader.above_zero("rates", "margin", 0.75, "a number of points above 0")
        ),
    )


def missing_details(settings: Settings) -> str:
    """ "[officer] name, phone are empty in PATH", or "" when nothing messages need is empty."""
    missing = settings.officer.missing
    if not missing:
        return ""
    verb = "is" if len(missing) == 1 else "are"
    return f"[officer] {', '.join(missing)} {verb} empty in {settings.workspace.settings_file}"


def check_cadence_names(
    settings: Settings, loaded: Collection[str], broken: Collection[str] = ()
) -> None:
    """[cadence] default, aged_cadence and each by_source value must name a cadence that
    loaded; one whose file is broken is that file's problem (`leadchase cadence check`)."""
    cadence = settings.cadence
    named = [
        (("cadence", "default"), f'[cadence] default "{cadence.default}"', cadence.default),
        (
            ("cadence", "aged_cadence"),
            f'[cadence] aged_cadence "{cadence.aged_cadence}"',
            cadence.aged_cadence,
        ),
        *(
            (("cadence", "by_source", source), f'[cadence.by_source] "{source}" = "{name}"', name)
            for source, name in cadence.by_source.items()
        ),
    ]
    for keys, shown, name in named:
        if name in loaded or name in broken:
            continue
        import difflib

        path = settings.workspace.settings_file
        where = _where(path, path.read_text(encoding="utf-8"), keys)
        near = difflib.get_close_matches(name, loaded, n=1)
        hint = (
            f'did you mean "{near[0]}"?'
            if near
            else f"the cadences are: {', '.join(sorted(loaded))}"
        )
        folder = settings.workspace.cadences_dir.name
        raise ConfigError(f"{where}: {shown} is not a cadence in {folder}/; {hint}")


def _parse_toml(path: Path) -> Callable[[bytes], dict[str, Any]]:
    def parse(data: bytes) -> dict[str, Any]:
        import tomllib

        try:
            return tomllib.loads(data.decode("utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: {error}; fix the TOML syntax") from None

    return parse


def _check_names(path: Path, text: str, raw: dict[str, Any]) -> None:
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

    where = _where(path, text, keys)
    near = difflib.get_close_matches(keys[-1], valid, n=1)
    if near:
        return ConfigError(f"{where}: {problem}; did you mean {shape.format(near[0])}?")
    shown = ", ".join(shape.format(name).strip('"') for name in valid)
    names = "the sections are" if len(keys) == 1 else "its keys are"
    return ConfigError(f"{where}: {problem}; {names}: {shown}")


def _where(path: Path, text: str, keys: tuple[str, ...]) -> str:
    """ "path: line N" of the key (or the table holding it), or just the path."""
    from leadchase.toml_lines import key_lines, line_of

    line = line_of(key_lines(text), keys)
    return f"{path}: line {line}" if line else str(path)


class _Reader:
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
