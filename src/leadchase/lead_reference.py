"""The lead a command names: by its id, by a phone number in any format, or by its email."""

from __future__ import annotations

from sqlalchemy import Connection

from leadchase.contact.emails import normalise_email
from leadchase.contact.phones import normalise_phone
from leadchase.errors import LeadchaseError, LeadNotFound
from leadchase.lead_search import lead_number
from leadchase.store import leads as lead_store
from leadchase.store.records import Lead


def find_lead(connection: Connection, reference: str) -> Lead:
    """A lead by id ("7" or "#7"), by phone in any format, or by email."""
    text = reference.strip()
    lead_id = lead_number(text)
    if lead_id is not None:
        lead = lead_store.get(connection, lead_id)
        if lead is None:
            raise LeadNotFound(f"no lead #{lead_id}; find it with `leadchase leads --search NAME`")
        return lead
    phone = normalise_phone(text)
    email = normalise_email(text) if "@" in text else None
    if phone is None and email is None:
        raise LeadNotFound(
            f"{reference!r} is not a lead id, phone number or email; "
            "find the lead with `leadchase leads --search NAME`"
        )
    matches = lead_store.by_key(connection, phone.e164 if phone else None, email)
    if not matches:
        raise LeadNotFound(f"no lead with {reference!r}; check `leadchase leads --search ...`")
    if len(matches) > 1:
        ids = ", ".join(str(m.id) for m in matches)
        raise LeadchaseError(f"{reference!r} matches several leads ({ids}); use the lead id")
    return matches[0]
