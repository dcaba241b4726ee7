"""Twilio's wire formats, as the fake speaks them: error bodies, dates, segments, DateSent filters.

fake_twilio.py holds the server and its state; these are the shapes it answers in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

# Twilio's own wording for the errors the fake can produce.
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    21211: "Invalid 'To' Phone Number",
    21212: "Invalid 'From' Phone Number",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21606: "The 'From' phone number provided is not a valid, message-capable Twilio phone number for this destination.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    30032: "Toll-Free Number Has Not Been Verified",
    30034: "Message from an Unregistered Number",
}


def rfc2822(moment: datetime) -> str:
    """Twilio's date format, e.g. "Mon, 02 Mar 2026 15:00:00 +0000"."""
    return format_datetime(moment.astimezone(UTC))


def segments(body: str) -> int:
    """Rough SMS segment count: GSM-7 for plain ASCII (160, or 153 per part), else UCS-2."""
    single, multi = (160, 153) if body.isascii() else (70, 67)
    return 1 if len(body) <= single else -(-len(body) // multi)


def account_json(sid: str, auth_token: str) -> dict[str, Any]:
    """An active account, as GET /Accounts/{sid}.json shows it."""
    created = rfc2822(datetime(2024, 1, 2, tzinfo=UTC))
    return {
        "auth_token": auth_token,  # Twilio does return it here
        "date_created": created,
        "date_updated": created,
        "friendly_name": "leadchase fake account",
        "owner_account_sid": sid,
        "sid": sid,
        "status": "active",
        "type": "Full",
        "uri": f"/2010-04-01/Accounts/{sid}.json",
    }


def numbers_page(account_sid: str, numbers: list[str], uri: str) -> dict[str, Any]:
    """IncomingPhoneNumbers, all on one page."""
    listed = [
        {
            "account_sid": account_sid,
            "capabilities": {"fax": False, "mms": True, "sms": True, "voice": True},
            "phone_number": number,
            "sid": "PN" + uuid.uuid5(uuid.NAMESPACE_OID, number).hex,
        }
        for number in numbers
    ]
    paging = {"first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None}
    return {**paging, "page": 0, "uri": uri, "incoming_phone_numbers": listed}


def services_page(account_sid: str, services: tuple[str, ...], url: str) -> dict[str, Any]:
    """Messaging Services (messaging.twilio.com/v1/Services), all on one page."""
    listed = [
        {"account_sid": account_sid, "sid": sid, "friendly_name": f"service {sid[-4:]}"}
        for sid in services
    ]
    meta = {
        "first_page_url": url,
        "key": "services",
        "next_page_url": None,
        "page": 0,
        "page_size": 50,
        "previous_page_url": None,
        "url": url,
    }
    return {"meta": meta, "services": listed}


def sent_within(message: dict[str, Any], limits: dict[str, date]) -> bool:
    """Twilio's DateSent filters: whole UTC days, ">" and "<" inclusive, unsent texts left out."""
    if not limits:
        return True
    if not message["date_sent"]:
        return False
    day = parsedate_to_datetime(message["date_sent"]).astimezone(UTC).date()
    after, before = limits.get("DateSent>", day), limits.get("DateSent<", day)
    return limits.get("DateSent", day) == day and after <= day <= before


@dataclass(frozen=True)
class Reply:
    status: int
    payload: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = ()
    raw: str | None = None  # sent as it is instead of the JSON payload, e.g. a proxy's HTML page

    @classmethod
    def error(
        cls, status: int, code: int, message: str | None = None, retry_after: float | None = None
    ) -> Reply:
        """An error as Twilio sends it, with Retry-After in seconds when given."""
        body = {
            "code": code,
            "message": message or ERROR_MESSAGES.get(code, "Error"),
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        wait = () if retry_after is None else (("Retry-After", f"{retry_after:g}"),)
        return cls(status, body, wait)
