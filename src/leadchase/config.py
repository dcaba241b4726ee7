"""Workspace settings: leadchase.toml, with the environment overriding where docs/configuration.md says.

Each table of the file is a frozen dataclass (settings.py), its keys the fields, read and checked
once when the settings load (settings_reader.py): a value of the wrong type stops every command
(exit code 3) naming the file, the table and the key. The tables only background work reads are
checked then too, and built on first read (settings_background.py). The texts of [twilio], [smtp], [replies]
and [secrets] take any value as text (an SMTP port may be 587 or "587"), as they always have.
Code reads typed fields (`settings.daemon.send_every_seconds`), never the TOML. Callers import
every name from here, but the background tables' classes from settings_background.py.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import time
from pathlib import Path
from typing import Any

from leadchase.errors import ConfigError
from leadchase.settings import (
    EQUAL_HOUSING_LINES,
    SIGNED_WITH,
    CadenceSettings,
    ComplianceSettings,
    ContactSettings,
    Officer,
    SecretsSettings,
    Settings,
    SmtpSection,
    TwilioSection,
)
from leadchase.settings_reader import SECTIONS, Reader, check_names, parse_toml, where_in_file
from leadchase.workspace import Workspace

__all__ = [
    "EQUAL_HOUSING_LINES",
    "SECTIONS",
    "SIGNED_WITH",
    "CadenceSettings",
    "ComplianceSettings",
    "ContactSettings",
    "Officer",
    "SecretsSettings",
    "Settings",
    "SmtpSection",
    "TwilioSection",
    "check_cadence_names",
    "default_settings_text",
    "load_settings",
    "missing_details",
]


def default_settings_text() -> str:
    return (Path(__file__).parent / "data" / "leadchase.toml").read_text(encoding="utf-8")


def load_settings(workspace: Workspace) -> Settings:
    from leadchase.parsed_cache import parsed

    path = workspace.settings_file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    # Parsed once per change of the file (parsed_cache.py): tomllib is imported only then.
    raw: dict[str, Any] = parsed(path, text.encode("utf-8"), parse_toml(path))
    check_names(path, text, raw)
    reader = Reader(path, raw)
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
    alerts: dict[str, Any] = {
        **{key: reader.flag("alerts", key, False) for key in ("new_lead", "reply", "by_email")},
        "by_text": reader.flag("alerts", "by_text", True),
        "phone": reader.text("alerts", "phone"),
        "email": reader.text("alerts", "email"),
        "hours_start": reader.clock("alerts", "hours_start", time(7)),
        "hours_end": reader.clock("alerts", "hours_end", time(21)),
    }
    if alerts["hours_end"] <= alerts["hours_start"]:
        raise ConfigError(
            f"{path}: [alerts] hours_end must be after hours_start "
            f"({alerts['hours_start']:%H:%M}-{alerts['hours_end']:%H:%M})"
        )
    costs = reader.source_costs()
    url = reader.text("database", "url") or f"sqlite:///{workspace.default_database}"
    twilio = TwilioSection(
        from_number=reader.loose_text("twilio", "from_number", ""),
        messaging_service_sid=reader.loose_text("twilio", "messaging_service_sid", ""),
        messages_per_second=reader.above_zero("twilio", "messages_per_second", 1.0),
        max_segments=reader.whole_above_zero("twilio", "max_segments", 10),
        public_url=reader.loose_text("twilio", "public_url", ""),
    )
    smtp = SmtpSection(
        host=reader.loose_text("smtp", "host", ""),
        port=reader.loose_text("smtp", "port", "587"),
        user=reader.loose_text("smtp", "user", ""),
        tls=reader.loose_text("smtp", "tls", "starttls"),
        from_address=reader.loose_text("smtp", "from_address", ""),
    )
    compliance = ComplianceSettings(
        reader.flag("compliance", "require_consent_for_auto_text", False)
    )
    # The tables only background work reads are checked now, in this order with the others,
    # and built on their first read (settings_background.py).
    replies: dict[str, Any] = {
        "stage_on_reply": reader.loose_text("replies", "stage_on_reply", "engaged")
    }
    secrets = SecretsSettings(reader.loose_text("secrets", "file", "").strip())
    daemon: dict[str, Any] = {
        "send_every_seconds": reader.above_zero(
            "daemon", "send_every_seconds", 60.0, "a number of seconds above 0"
        ),
        "watch_dir": reader.text(
            "daemon", "watch_dir", 'a quoted folder path, or "" for none', strip=False
        ),
    }
    assign: dict[str, Any] = {
        "by_source": reader.source_officers(),
        "round_robin": reader.flag("assign", "round_robin", False),
    }
    families = reader.source_families()
    rates: dict[str, Any] = {
        "margin": reader.above_zero("rates", "margin", 0.75, "a number of points above 0")
    }
    background = {
        "replies": replies,
        "daemon": daemon,
        "alerts": alerts,
        "assign": assign,
        "rates": rates,
    }
    return Settings(
        workspace,
        officer,
        contact,
        cadence,
        url,
        costs,
        twilio,
        smtp,
        compliance,
        secrets,
        source_families=families,
        background=background,
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
        where = where_in_file(path, path.read_text(encoding="utf-8"), keys)
        near = difflib.get_close_matches(name, loaded, n=1)
        hint = (
            f'did you mean "{near[0]}"?'
            if near
            else f"the cadences are: {', '.join(sorted(loaded))}"
        )
        folder = settings.workspace.cadences_dir.name
        raise ConfigError(f"{where}: {shown} is not a cadence in {folder}/; {hint}")
