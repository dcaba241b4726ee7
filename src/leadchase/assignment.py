"""Which officer owns a lead: `officer add|list|remove`, `assign`, and new leads by rule.

A new lead goes to the officer `import --officer` names, else to the officer the first
[assign.by_source] pattern matching its source names, else, with [assign] round_robin on, to
the next active officer in turn, else to the default officer ([officer]). Each choice is an
"assigned" event on the lead's timeline. The round-robin's counter lives in the database and is
bumped in the import's own transaction, so two imports at once (two machines on one PostgreSQL
database) never deal the same turn, and the same leads always go to the same officers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadchase.errors import LeadchaseError
from leadchase.team import DEFAULT, EVERYONE, Team
from leadchase.words import counted

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from leadchase.config import Settings
    from leadchase.context import Context
    from leadchase.store.records import TeamOfficer


class OfficerProblem(LeadchaseError):
    """An officer's details that cannot be used, or a change that would strand leads."""


@dataclass(frozen=True)
class NewOfficer:
    """What `officer add` was given."""

    name: str
    phone: str = ""
    email: str = ""
    nmls: str = ""
    from_number: str = ""
    messaging_service_sid: str = ""
    signature: str = ""
    window_start: str = ""
    window_end: str = ""
    timezone: str = ""


def checked(new: NewOfficer, settings: Settings) -> dict[str, Any]:
    """The officer's row, every detail checked; OfficerProblem says which one is wrong."""
    from leadchase.contact.emails import normalise_email
    from leadchase.contact.phones import normalise_phone

    name = " ".join(new.name.split())
    if not name:
        raise OfficerProblem('an officer needs a name, e.g. `leadchase officer add "Ana Ruiz"`')
    if name.casefold() in (EVERYONE, DEFAULT):
        raise OfficerProblem(f'"{name}" is a word --officer reads; choose another name')
    values: dict[str, Any] = {
        "name": name,
        "phone": new.phone.strip(),
        "nmls": new.nmls.strip(),
        "signature": new.signature.strip(),
        "email": "",
        "from_number": "",
        "messaging_service_sid": new.messaging_service_sid.strip(),
    }
    if new.email.strip():
        email = normalise_email(new.email)
        if email is None:
            raise OfficerProblem(f"--email {new.email!r} is not an email address")
        values["email"] = email
    if new.from_number.strip() and values["messaging_service_sid"]:
        raise OfficerProblem("give --from-number or --messaging-service, not both")
    if new.from_number.strip():
        number = normalise_phone(new.from_number)
        if number is None:
            raise OfficerProblem(
                f"--from-number {new.from_number!r} is not a phone number; "
                "give their Twilio number, e.g. +13055550111"
            )
        values["from_number"] = number.e164
    sid = values["messaging_service_sid"]
    if sid and not (sid.startswith("MG") and len(sid) == 34 and sid[2:].isalnum()):
        raise OfficerProblem(
            f"--messaging-service {sid!r} is not a Twilio messaging service SID (MG + 32 characters)"
        )
    values.update(_window(new, settings.contact.default_timezone))
    return values


def _window(new: NewOfficer, default_zone: str) -> dict[str, str]:
    if not new.window_start and not new.window_end:
        if new.timezone:
            raise OfficerProblem("--timezone goes with --window-start and --window-end")
        return {"window_start": "", "window_end": "", "timezone": ""}
    try:
        start, end = time.fromisoformat(new.window_start), time.fromisoformat(new.window_end)
    except ValueError:
        raise OfficerProblem(
            'give both --window-start and --window-end as times of day, e.g. "08:30" and "18:00"'
        ) from None
    if end <= start:
        raise OfficerProblem(f"--window-end {end:%H:%M} must be after --window-start {start:%H:%M}")
    zone = new.timezone.strip() or default_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OfficerProblem(
            f'--timezone {zone!r} is not an IANA time zone like "America/Chicago"'
        ) from None
    return {"window_start": f"{start:%H:%M}", "window_end": f"{end:%H:%M}", "timezone": zone}


def add_officer(context: Context, new: NewOfficer, now: datetime) -> tuple[TeamOfficer, bool]:
    """Add an officer (or bring back a removed one with these details); True when added."""
    from leadchase.store import officers

    values = checked(new, context.settings)
    with context.database.writing() as connection:
        team = Team.read(connection, context.settings.officer)
        if team.is_default(values["name"]):
            raise OfficerProblem(
                f"{values['name']} is the default officer, [officer] in "
                f"{context.settings.workspace.settings_file}; their leads need no officer row"
            )
        existing = team.find(values["name"])
        if existing is not None and existing.active:
            raise OfficerProblem(f"{existing.name} is already an officer of the team")
        check_sender_free(team, values, existing)
        if existing is not None:
            officers.change(connection, existing.id, {**values, "active": True})
            officer_id, added = existing.id, False
        else:
            officer_id = officers.add(connection, {**values, "active": True, "created_at": now})
            added = True
        member = Team.read(connection, context.settings.officer).by_id(officer_id)
    assert member is not None
    return member, added


def check_sender_free(team: Team, values: dict[str, Any], existing: TeamOfficer | None) -> None:
    """Two officers on one number would read each other's replies as their own."""
    sender = values["from_number"] or values["messaging_service_sid"]
    for other in team.active:
        if sender and other.sender == sender and other is not existing:
            raise OfficerProblem(
                f"{sender} is already {other.name}'s; each officer needs their own"
            )


@dataclass(frozen=True)
class OfficerLine:
    """One line of `officer list`: an officer (None: the default) and how many leads they own."""

    name: str
    officer: TeamOfficer | None
    leads: int


def list_officers(context: Context, everyone: bool = False) -> list[OfficerLine]:
    """The default officer, then each active officer (every one with `everyone`)."""
    from leadchase.store import officers

    with context.database.reading() as connection:
        team = Team.read(connection, context.settings.officer)
        counts = officers.lead_counts(connection)
    lines = [OfficerLine(team.name_of(None), None, counts.get(None, 0))]
    lines += [
        OfficerLine(member.name, member, counts.get(member.id, 0))
        for member in team.officers
        if member.active or everyone
    ]
    return lines


@dataclass(frozen=True)
class Moved:
    officer: str  # who the leads went to
    leads: int


def remove_officer(
    context: Context, name: str, leads_to: str | None, now: datetime
) -> Moved | None:
    """Take an officer out of the team: no new leads, out of the round-robin. Their leads must
    go to someone first (`leads_to`): the row stays, inactive, so the timeline still names
    them. Returns where their leads went, None when they had none."""
    from leadchase.store import officers
    from leadchase.store.records import OfficerScope

    with context.database.writing() as connection:
        team = Team.read(connection, context.settings.officer)
        member = team.find(name)
        if member is None or not member.active:
            raise team.unknown(name)
        owned = officers.lead_ids_of(connection, OfficerScope(member.id))
        moved = None
        if owned:
            if leads_to is None:
                raise OfficerProblem(
                    f"{member.name} owns {counted(len(owned), 'lead')}: say who takes them "
                    f"with --leads-to NAME (--leads-to {DEFAULT} for the default officer, "
                    "[officer] in leadchase.toml); nothing was changed"
                )
            target = _target(team, leads_to)
            if target == member.id:
                raise OfficerProblem(f"--leads-to names {member.name}, who is being removed")
            detail = f"from {member.name} to {team.name_of(target)} ({member.name} left the team)"
            officers.move_leads(connection, owned, target, now, detail)
            moved = Moved(team.name_of(target), len(owned))
        officers.change(connection, member.id, {"active": False})
    return moved


def _target(team: Team, name: str) -> int | None:
    """The officer id `name` means for new leads: None for the default officer."""
    scope = team.scope(name)
    if scope is None:
        raise OfficerProblem('leads go to one officer, not "all"; name one')
    member = team.by_id(scope.officer_id)
    if member is not None and not member.active:
        raise OfficerProblem(f"{member.name} has left the team; name an active officer")
    return scope.officer_id


@dataclass(frozen=True)
class Assigned:
    lead_id: int
    name: str
    officer: str
    previous: str
    open_touches: int


def assign_lead(context: Context, lead_text: str, officer_name: str, now: datetime) -> Assigned:
    """`leadchase assign LEAD OFFICER`: the lead and its open touches (which belong to it) go
    to the officer; texts not yet sent go from their number, signed by them."""
    from leadchase.lead_reference import find_lead
    from leadchase.store import officers
    from leadchase.store import touches as touch_store

    with context.database.writing() as connection:
        team = Team.read(connection, context.settings.officer)
        target = _target(team, officer_name)
        lead = find_lead(connection, lead_text)
        previous = team.name_of(lead.officer_id)
        open_touches = len(touch_store.open_touches(connection, lead.id))
        if lead.officer_id != target:
            detail = f"from {previous} to {team.name_of(target)}, {open_touches} open touches"
            officers.move_leads(connection, [lead.id], target, now, detail)
    return Assigned(lead.id, lead.name, team.name_of(target), previous, open_touches)


def new_lead_assigner(
    context: Context, officer_name: str | None, now: datetime
) -> Callable[[Connection, list[dict[str, Any]]], list[dict[str, Any]]]:
    """What the import calls with each batch of new leads (before they are inserted): sets
    each one's officer_id and returns the "assigned" events to record."""
    settings = context.settings
    with context.database.reading() as connection:
        team = Team.read(connection, settings.officer)
    forced = _target(team, officer_name) if officer_name else None
    by_source = {pattern: _target(team, name) for pattern, name in _rules(settings, team)}
    dealing = [member for member in team.active if settings.assign.round_robin]
    # A file's leads come from a handful of sources: each is matched against the rules once.
    pattern_for = lru_cache(maxsize=1024)(settings.assign.pattern_for)

    def assign(connection: Connection, leads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from leadchase.store import officers

        events: list[dict[str, Any]] = []
        left: list[dict[str, Any]] = []
        for lead in leads:
            lead["officer_id"] = None
            if officer_name:
                lead["officer_id"] = forced
                why = "--officer"
            elif (pattern := pattern_for(lead.get("source") or "")) is not None:
                lead["officer_id"] = by_source[pattern]
                why = f'[assign.by_source] "{pattern}"'
            else:
                left.append(lead)
                continue
            events.append(_event(lead, now, f"to {team.name_of(lead['officer_id'])} by {why}"))
        if dealing and left:
            first = officers.take_turns(connection, len(left))
            for number, lead in enumerate(left):
                turn = first + number
                member = dealing[turn % len(dealing)]
                lead["officer_id"] = member.id
                events.append(
                    _event(lead, now, f"to {member.name} by round-robin, turn {turn + 1}")
                )
        return events

    return assign


def _rules(settings: Settings, team: Team) -> list[tuple[str, str]]:
    """[assign.by_source], each officer checked now: a typo stops the import before a lead
    goes in, not halfway."""
    rules = list(settings.assign.by_source.items())
    for pattern, name in rules:
        if not team.is_default(name) and (team.find(name) is None):
            raise OfficerProblem(
                f'{settings.workspace.settings_file}: [assign.by_source] "{pattern}" names '
                f"{name!r}, who is not an officer; {team.unknown(name)}"
            )
    return rules


def _event(lead: dict[str, Any], now: datetime, detail: str) -> dict[str, Any]:
    return {"lead_id": lead["id"], "at": now, "kind": "assigned", "detail": detail}
