"""`POST /leads`: a lead, or a list of them, from a web form, a vendor's post, Zapier or Make.

The request must carry the workspace's token (`Authorization: Bearer TOKEN`): without it the
answer is 401 and nothing is read further. The body is JSON (one object or a list) or a
form (application/x-www-form-urlencoded, one lead). `?source=NAME` names the source as
`import --source` does, `?cadence=NAME` the cadence as `--cadence`. The leads are stored by
importing/posted.py; new ones make the daemon send at once (speed to lead). The officer's alerts
of them are recorded before the answer and sent after it, so a slow Twilio never holds it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from leadchase.listener.app import (
    BodyTooLarge,
    parse_form,
    problem,
    read_body,
    request_workspace,
    send_alerts,
)

log = logging.getLogger("leadchase.listener")

JSON_TYPES = ("application/json", "text/json")
FORM_TYPE = "application/x-www-form-urlencoded"


async def post_leads(request: Request) -> Response:
    from leadchase.errors import ConfigError
    from leadchase.importing.posted import PostError
    from leadchase.listener.token import read_token, token_matches

    try:
        expected = await run_in_threadpool(read_token, request.app.state.home)
    except ConfigError as error:
        log.error("lead post refused: %s", error)
        return problem(503, "the listener has no usable token; see the daemon's log")
    if not token_matches(expected, request.headers.get("authorization")):
        log.warning("lead post refused: missing or wrong token")
        return problem(
            401,
            "missing or wrong token: send Authorization: Bearer TOKEN "
            "(`leadchase token show` prints it)",
            {"WWW-Authenticate": "Bearer"},
        )
    try:
        body = await read_body(request)
    except BodyTooLarge:
        limit = request.app.state.max_body
        log.warning("lead post refused: body over %d bytes", limit)
        return problem(413, f"the body is over {limit:,} bytes; post fewer leads at a time")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == FORM_TYPE:
            leads: list[Any] | None = [_one_lead(await parse_form(request, body))]
        else:
            leads = _leads_in(body, kind)
    except (ValueError, PostError) as error:
        return problem(400, str(error))
    if leads is None:
        return problem(415, f"send the leads as JSON (application/json) or as a form ({FORM_TYPE})")
    return await run_in_threadpool(_store, request, leads)


def _one_lead(form: FormData) -> dict[str, str]:
    """A form post's one lead: each field once (a field sent twice: the first one)."""
    lead: dict[str, str] = {}
    for name, value in form.multi_items():
        lead.setdefault(name, str(value))
    return lead


def _leads_in(body: bytes, kind: str) -> list[Any] | None:
    """The posted JSON leads, not yet checked; None for a body of another kind. ValueError (400)
    when the body cannot be read as JSON."""
    from leadchase.importing.posted import leads_of

    if kind in JSON_TYPES or kind.endswith("+json"):
        try:
            document = json.loads(body)
        except ValueError as error:
            raise ValueError(
                f"the body is not JSON ({error}); send a lead object or a list"
            ) from None
        return leads_of(document)
    return None


def _store(request: Request, leads: list[Any]) -> Response:
    """In a worker thread: one workspace, one transaction, one answer."""
    from leadchase.clock import now
    from leadchase.errors import CadenceError, LeadchaseError, explain
    from leadchase.importing.posted import PostError, take_post

    key = request.headers.get("idempotency-key")
    params = request.query_params
    when = now()
    try:
        with request_workspace(request) as context:
            taken = take_post(
                context,
                leads,
                when,
                key=key.strip() if key is not None else None,
                source=params.get("source", ""),
                cadence=params.get("cadence") or None,
            )
    except (PostError, CadenceError) as error:
        return problem(400, str(error))
    except Exception as error:
        known = error if isinstance(error, LeadchaseError) else explain(error)
        if known is None:
            raise  # a bug: the server logs it and answers 500
        log.error("lead post failed: %s", known)
        return problem(503, "the leads could not be stored now; try again (see the daemon's log)")
    answer = taken.answer
    document = answer.answer
    if taken.replayed:
        log.info("lead post replayed (same Idempotency-Key): nothing stored")
    else:
        log.info(
            "lead post: %d new, %d merged, %d rejected",
            document["new"],
            document["merged"],
            document["rejected"],
        )
    if taken.new_leads:
        request.app.state.leads_arrived()
    headers = {"Idempotent-Replayed": "true"} if taken.replayed else None
    # The officer's alerts were recorded with the leads; they go once the vendor has its answer.
    later = BackgroundTask(send_alerts, request.app.state.home, when) if taken.alerts else None
    return JSONResponse(document, status_code=answer.status, headers=headers, background=later)


ROUTES = [Route("/leads", post_leads, methods=["POST"])]
