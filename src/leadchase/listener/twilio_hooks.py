"""Twilio's webhooks: inbound texts and delivery statuses as they happen, each one signed.

Twilio signs every request with the account's auth token over the URL it called and the posted
fields (X-Twilio-Signature). The URL is rebuilt from the public URL Twilio was given
(LEADCHASE_PUBLIC_URL, [twilio] public_url) and this request's path, never from the Host header
a caller chooses; a missing or wrong signature is 403 and nothing is read further or changed.

An inbound text takes the path `sync` takes (replies.record_inbound): a STOP is recorded, and
committed, before the answer goes back, and a text that reaches both the webhook and a later
poll is acted on once (by its SID). A status report updates the text's delivery status through
the send run's own code (dispatch/recovery.record_status). Officer alerts a reply raised are
sent after the answer, so Twilio never waits on them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from leadchase.channels.config import INBOUND_PATH, STATUS_PATH, TwilioSettings
from leadchase.context import Context
from leadchase.listener.app import BodyTooLarge, parse_form, read_body, send_alerts

# Twilio's webhook bodies are a few hundred bytes; anything far larger is not Twilio.
MAX_BODY_BYTES = 64 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
SIGNATURE_HEADER = "X-Twilio-Signature"

# What a webhook does once its request is known to come from Twilio.
Handler = Callable[[Context, TwilioSettings, FormData, datetime], Response]


async def inbound_text(request: Request) -> Response:
    """POST /twilio/sms: one text to our number. Answered with empty TwiML (no auto-reply)."""
    return await _signed_call(request, _record_text)


async def delivery_status(request: Request) -> Response:
    """POST /twilio/status: a sent text's StatusCallback (queued, sent, delivered, ...)."""
    return await _signed_call(request, _record_status)


ROUTES: list[Route] = [
    Route(INBOUND_PATH, inbound_text, methods=["POST"]),
    Route(STATUS_PATH, delivery_status, methods=["POST"]),
]


async def _signed_call(request: Request, handler: Handler) -> Response:
    """Read the form (bounded), then run `handler` in a worker thread, since the database and
    Twilio calls block: the workspace is opened for this request only."""
    try:
        form = await parse_form(request, await read_body(request, MAX_BODY_BYTES))
    except BodyTooLarge:
        return PlainTextResponse("request body too large", status_code=413)
    except ValueError as error:
        return PlainTextResponse(str(error), status_code=400)
    home: Path = request.app.state.home
    signature = request.headers.get(SIGNATURE_HEADER, "")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response: Response = await run_in_threadpool(_checked, home, path, form, signature, handler)
    return response


def _checked(home: Path, path: str, form: FormData, signature: str, handler: Handler) -> Response:
    from leadchase import clock
    from leadchase.channels.config import twilio_settings
    from leadchase.context import open_workspace

    with open_workspace(home) as context:
        twilio = twilio_settings(context.settings)
        if not is_signed(twilio, path, form, signature):
            return PlainTextResponse("Twilio signature missing or not valid", status_code=403)
        response: Response = handler(context, twilio, form, clock.now())
        return response


def is_signed(twilio: TwilioSettings, path: str, form: FormData, signature: str) -> bool:
    """Whether Twilio signed this request: the SDK's own check, over the public URL + `path`.

    Without a public URL or an auth token nothing can be checked, so nothing is accepted."""
    if not (signature and twilio.public_url and twilio.auth_token):
        return False
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(twilio.auth_token)
    return bool(validator.validate(twilio.public_url + path, form, signature))


def _record_text(
    context: Context, twilio: TwilioSettings, form: FormData, now: datetime
) -> Response:
    from leadchase.cadence.service import FollowUp
    from leadchase.channels.base import InboundText
    from leadchase.replies import record_inbound

    sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
    sender = str(form.get("From") or "")
    if not sid or not sender:
        return PlainTextResponse("MessageSid and From are required", status_code=400)
    text = InboundText(
        provider_id=sid,
        from_number=sender,
        to_number=str(form.get("To") or ""),
        body=str(form.get("Body") or ""),
        received_at=now,
        service_sid=str(form.get("MessagingServiceSid") or ""),
    )
    texts = None
    if twilio.configured:  # to answer HELP
        from leadchase.channels.twilio_sms import TwilioTexts

        texts = TwilioTexts(twilio)
    try:
        record_inbound(context, FollowUp.load(context.settings), texts, text, now)
    finally:
        if texts is not None:
            texts.close()
    home = context.settings.workspace.root
    return Response(
        EMPTY_TWIML, media_type="text/xml", background=BackgroundTask(send_alerts, home, now)
    )


def _record_status(
    context: Context, twilio: TwilioSettings, form: FormData, now: datetime
) -> Response:
    from leadchase.channels.base import DeliveryStatus
    from leadchase.dispatch.recovery import record_status
    from leadchase.store import alerts as alert_store
    from leadchase.store import sending as send_store

    sid = str(form.get("MessageSid") or form.get("SmsSid") or "")
    status = str(form.get("MessageStatus") or form.get("SmsStatus") or "")
    if not sid or not status:
        return PlainTextResponse("MessageSid and MessageStatus are required", status_code=400)
    error_code = str(form.get("ErrorCode") or "") or None
    with context.database.writing() as connection:
        message = send_store.message_by_provider_id(connection, sid)
        if message is not None:
            record_status(connection, message, DeliveryStatus(sid, status, error_code), now)
        else:  # perhaps an alert's text to the officer
            alert_store.set_delivery_status(connection, sid, status, error_code)
    return Response(status_code=204)
