"""The team: which officer a lead hears from, and from which number.

[officer] in leadchase.toml is the default officer: every lead without an officer of its own
(lead.officer_id NULL) is theirs, and their texts go from [twilio]'s number. The officers of
`leadchase officer add` are the rest of the team, each with their own name, phone, email,
NMLS id, signature and Twilio number or messaging service; what they share with the default
officer is the company, its postal address and the Equal Housing line. With no officer added,
the workspace is one officer's, as it always was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from leadchase.config import Officer
from leadchase.errors import LeadchaseError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from leadchase.context import Context
    from leadchase.store.records import Lead, OfficerScope, TeamOfficer

# What `--officer` takes to mean every officer's leads, and the default officer's.
EVERYONE = "all"
DEFAULT = "default"
OFFICER_ENV = "LEADCHASE_OFFICER"


class UnknownOfficer(LeadchaseError):
    """A name that is no officer of the team."""


@dataclass(frozen=True)
class Team:
    """The default officer ([officer]) and the team's officers as stored."""

    default: Officer  # [officer]
    officers: tuple[TeamOfficer, ...]  # every row, active or not, oldest first

    @classmethod
    def load(cls, context: Context) -> Team:
        with context.database.reading() as connection:
            return cls.read(connection, context.settings.officer)

    @classmethod
    def read(cls, connection: Connection, default: Officer) -> Team:
        from leadchase.store import officers

        return cls(default, tuple(officers.all_officers(connection)))

    @property
    def active(self) -> tuple[TeamOfficer, ...]:
        return tuple(officer for officer in self.officers if officer.active)

    def by_id(self, officer_id: int | None) -> TeamOfficer | None:
        return next((o for o in self.officers if o.id == officer_id), None)

    def find(self, name: str) -> TeamOfficer | None:
        """The officer of this name (any case, spaces trimmed), active or not."""
        wanted = " ".join(name.split()).casefold()
        return next((o for o in self.officers if o.name.casefold() == wanted), None)

    def is_default(self, name: str) -> bool:
        """Whether `name` means the default officer: their [officer] name, or "default"."""
        wanted = " ".join(name.split()).casefold()
        return wanted == DEFAULT or (
            bool(self.default.name) and wanted == self.default.name.casefold()
        )

    def officer_for(self, lead: Lead) -> Officer:
        """The officer `lead` hears from, as templates see them."""
        return self.as_officer(self.by_id(lead.officer_id))

    def as_officer(self, member: TeamOfficer | None) -> Officer:
        """A team member as templates see them: their details over [officer]'s company ones;
        None (or an unknown id) is the default officer."""
        if member is None:
            return self.default
        return replace(
            self.default,
            name=member.name,
            phone=member.phone or self.default.phone,
            email=member.email,
            nmls=member.nmls,
            signature=member.signature,
        )

    def sender_for(self, lead: Lead) -> str:
        """The Twilio number or messaging service `lead`'s texts go from; "" for [twilio]'s."""
        member = self.by_id(lead.officer_id)
        return member.sender if member is not None else ""

    @property
    def senders(self) -> tuple[str, ...]:
        """Every officer's own number or messaging service: replies to any of them are read,
        so an opt-out sent to one officer's number stops every officer's texts."""
        return tuple(dict.fromkeys(o.sender for o in self.officers if o.sender))

    def name_of(self, officer_id: int | None) -> str:
        member = self.by_id(officer_id)
        return member.name if member is not None else self.default.name or DEFAULT

    def scope(self, name: str) -> OfficerScope | None:
        """The leads `--officer NAME` means: None for everyone ("all"), the default officer's
        for their [officer] name, an officer's own for theirs."""
        from leadchase.store.records import OfficerScope

        if name.strip().casefold() == EVERYONE:
            return None
        if self.is_default(name):
            return OfficerScope(None)
        member = self.find(name)
        if member is None:
            raise self.unknown(name)
        return OfficerScope(member.id)

    def working_scope(self, name: str | None, environment: str | None) -> OfficerScope | None:
        """Whose work `today` shows: `--officer`, else LEADCHASE_OFFICER, else [officer]'s
        own leads; everyone's while the team has no officers (a one-officer workspace)."""
        chosen = name or environment
        if chosen:
            return self.scope(chosen)
        if not self.officers:
            return None
        return self.scope(DEFAULT)

    def unknown(self, name: str) -> UnknownOfficer:
        names = [o.name for o in self.active]
        names.append(f'"{DEFAULT}" (the default officer)')
        known = f"the officers are: {', '.join(names)}"
        return UnknownOfficer(
            f"no officer {name!r}; {known} (`leadchase officer list`, `leadchase officer add`)"
        )
