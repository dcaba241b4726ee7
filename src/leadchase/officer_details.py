"""`leadchase officer set NAME field=value`: change an active officer's details.

The fields are `officer add`'s options (phone, email, nmls, from-number, messaging-service,
signature, window-start, window-end, timezone), written as `set` writes a lead's fields; an
empty value clears one. The officer's details after the change are checked whole, by the
same code as `officer add` (assignment.checked), so nothing is stored unless all of them are
usable. An officer texts from one sender: a new number replaces their messaging service, and
the other way round.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from leadchase.assignment import NewOfficer, OfficerProblem, check_sender_free, checked
from leadchase.team import Team

if TYPE_CHECKING:
    from leadchase.context import Context
    from leadchase.store.records import TeamOfficer

# The field as typed (`officer add`'s option) -> NewOfficer's attribute, the officer's column.
FIELDS = {
    "phone": "phone",
    "email": "email",
    "nmls": "nmls",
    "from-number": "from_number",
    "messaging-service": "messaging_service_sid",
    "signature": "signature",
    "window-start": "window_start",
    "window-end": "window_end",
    "timezone": "timezone",
}
# Setting one of these clears the other: an officer's texts come from one sender.
ONE_SENDER = {"from_number": "messaging_service_sid", "messaging_service_sid": "from_number"}


@dataclass(frozen=True)
class OfficerChanged:
    officer: TeamOfficer
    changed: list[str]  # the fields whose value changed (as typed: window-end), in the order given


def parse_changes(pairs: Sequence[str]) -> dict[str, str]:
    """ "field=value" pairs -> {NewOfficer attribute: text}; OfficerProblem for a pair that is
    not one, or a field that is not an officer's."""
    if not pairs:
        raise OfficerProblem(
            "nothing to change: give field=value, e.g. phone=305-555-0111; the fields are "
            + ", ".join(FIELDS)
        )
    changes: dict[str, str] = {}
    for pair in pairs:
        name, equals, text = pair.partition("=")
        if not equals:
            raise OfficerProblem(f"{pair!r} is not field=value; write e.g. nmls=123456")
        field = re.sub(r"[\s_-]+", "-", name.strip().lower())
        if field not in FIELDS:
            near = difflib.get_close_matches(field, list(FIELDS), n=1)
            hint = f"did you mean {near[0]}? " if near else ""
            raise OfficerProblem(
                f"unknown field {name.strip()!r}; {hint}the fields are {', '.join(FIELDS)}"
            )
        changes[FIELDS[field]] = text.strip()
    return changes


def set_officer_details(context: Context, name: str, pairs: Sequence[str]) -> OfficerChanged:
    """Change an active officer's details; the officer as stored after, and what changed."""
    from leadchase.store import officers

    changes = parse_changes(pairs)
    for field, other in ONE_SENDER.items():
        if changes.get(field) and other not in changes:
            changes[other] = ""
    with context.database.writing() as connection:
        team = Team.read(connection, context.settings.officer)
        member = team.find(name)
        if member is None and team.is_default(name):
            raise OfficerProblem(
                f"{team.name_of(None)} is the default officer: change their details in "
                f"[officer] in {context.settings.workspace.settings_file}"
            )
        if member is None:
            raise team.unknown(name)
        if not member.active:
            raise OfficerProblem(
                f"{member.name} has left the team; `leadchase officer add` brings them back"
            )
        current = NewOfficer(
            member.name, member.phone, member.email, member.nmls, member.from_number,
            member.messaging_service_sid, member.signature, member.window_start,
            member.window_end, member.timezone,
        )  # fmt: skip
        wanted = replace(current, **changes)
        if not (wanted.window_start or wanted.window_end or "timezone" in changes):
            wanted = replace(wanted, timezone="")  # no window of their own: no zone for it
        try:
            values = checked(wanted, context.settings)
        except OfficerProblem as problem:
            # add's messages name its options (--email); here they are fields (email=).
            raise OfficerProblem(str(problem).replace("--", "")) from None
        check_sender_free(team, values, member)
        columns = [*changes, *(c for c in values if c not in changes and c != "name")]
        changed = [column for column in columns if getattr(member, column) != values[column]]
        if changed:
            officers.change(connection, member.id, {column: values[column] for column in changed})
        updated = Team.read(connection, context.settings.officer).by_id(member.id)
    assert updated is not None
    typed = {column: field for field, column in FIELDS.items()}
    return OfficerChanged(updated, [typed[column] for column in changed])
