"""The typed settings: each table of leadchase.toml as a frozen dataclass, its keys the fields.

config.py reads the file into these (settings_reader.py checks each value); code reads typed
fields (`settings.daemon.send_every_seconds`), never the TOML. The tables only background work
reads are in settings_background.py, built on first read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from leadchase.workspace import Workspace

if TYPE_CHECKING:
    from leadchase.settings_background import (
        AlertSettings,
        AssignSettings,
        DaemonSettings,
        RateSettings,
        ReplySettings,
    )

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
    """[contact]: your contact window and days, and the zone of a lead whose own is unknown."""

    window_start: time = time(9)
    window_end: time = time(20)
    skip_weekends: bool = False
    skip_holidays: bool = True
    default_timezone: str = "America/New_York"


@dataclass(frozen=True)
class CadenceSettings:
    """[cadence]: which cadence a new lead starts on (by source, else by its age)."""

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
    """[compliance]: whether automated texts wait for a consent record."""

    require_consent_for_auto_text: bool = False


@dataclass(frozen=True)
class SecretsSettings:
    """[secrets]: the file of secrets read when the environment lacks one."""

    file: str = ""  # a KEY=value file for secrets the environment lacks; "" for none


@dataclass(frozen=True)
class Settings:
    """leadchase.toml, read and checked: every section, with its defaults."""

    workspace: Workspace
    officer: Officer
    contact: ContactSettings
    cadence: CadenceSettings
    database_url: str
    cost_per_lead: dict[str, float]
    twilio: TwilioSection
    smtp: SmtpSection
    compliance: ComplianceSettings
    secrets: SecretsSettings
    # [sources.families]: family -> the source names (shell-style patterns) it groups.
    source_families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The values of [replies], [daemon], [alerts], [assign] and [rates] as read and checked
    # (config.py), by section and key: each section is built on its first read, below.
    background: dict[str, dict[str, Any]] = field(default_factory=dict)

    @cached_property
    def replies(self) -> ReplySettings:
        from leadchase.settings_background import ReplySettings

        return ReplySettings(**self.background.get("replies", {}))

    @cached_property
    def daemon(self) -> DaemonSettings:
        from leadchase.settings_background import DaemonSettings

        return DaemonSettings(**self.background.get("daemon", {}))

    @cached_property
    def alerts(self) -> AlertSettings:
        from leadchase.settings_background import AlertSettings

        return AlertSettings(**self.background.get("alerts", {}))

    @cached_property
    def assign(self) -> AssignSettings:
        from leadchase.settings_background import AssignSettings

        return AssignSettings(**self.background.get("assign", {}))

    @cached_property
    def rates(self) -> RateSettings:
        from leadchase.settings_background import RateSettings

        return RateSettings(**self.background.get("rates", {}))
