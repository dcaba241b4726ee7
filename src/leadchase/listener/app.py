"""The listener's Starlette app: the routes of each listener module, and what they share.

Each module of this package that answers requests has a `ROUTES` list; `route_lists()` names
them, so adding a module is one line there. A request handler gets its workspace with
`with request_workspace(request) as context:`: opened for that request and closed after it,
so the database is never shared between the server's threads.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from leadchase.context import Context

DEFAULT_MAX_BODY = 1_000_000  # bytes: far more than any lead post, far less than a flood


def route_lists() -> list[Sequence[BaseRoute]]:
    """Every listener module's ROUTES. Add a module's list here to serve it."""
    from leadchase.listener import intake, twilio_hooks

    return [intake.ROUTES, twilio_hooks.ROUTES]


def build_app(
    home: Path,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    leads_arrived: Callable[[], None] = lambda: None,
) -> Starlette:
    """The app the daemon serves for the workspace at `home`.

    `max_body` bounds a request body (413 above it); `leads_arrived` is called, from a server
    thread, after a request stored new leads (the daemon runs its send pass at once).
    """
    routes: list[BaseRoute] = [Route("/health", health, methods=["GET"])]
    for module_routes in route_lists():
        routes.extend(module_routes)
    app = Starlette(routes=routes)
    app.state.home = home
    app.state.max_body = max_body
    app.state.leads_arrived = leads_arrived
    return app


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def request_workspace(request: Request) -> AbstractContextManager[Context]:
    """The app's workspace, opened for one request: `with request_workspace(request) as context:`.
    Call it from a worker thread (starlette.concurrency.run_in_threadpool): it reads files."""
    from leadchase.context import open_workspace

    home: Path = request.app.state.home
    return open_workspace(home)


def send_alerts(home: Path, now: datetime) -> None:
    """The officer's alerts a request recorded, sent as the response's background task: once
    the caller (a vendor, Twilio) has its answer, so it never waits on Twilio for them."""
    from leadchase.alerts import deliver
    from leadchase.context import open_workspace

    with open_workspace(home) as context:
        deliver(context, now)


class BodyTooLarge(Exception):
    """The request body is over the app's max_body."""


async def read_body(request: Request, limit: int | None = None) -> bytes:
    """The body, refused (BodyTooLarge) as soon as it is known to be over `limit` (default: the
    app's max_body): from the Content-Length before reading anything, else as it streams in."""
    if limit is None:
        limit = request.app.state.max_body
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_form(request: Request, body: bytes) -> FormData:
    """A form body (application/x-www-form-urlencoded), already read by read_body, parsed by
    Starlette's own form parser, the one `request.form()` uses (python-multipart, in the serve
    extra): the listener's one way to read a form, for a posted lead and Twilio's webhooks
    alike. ValueError (400) for a form that is not UTF-8 or has too many fields."""
    from starlette.formparsers import FormParser, MultiPartException

    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the form is not UTF-8; send it as UTF-8") from None

    async def whole() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        return await FormParser(request.headers, whole()).parse()
    except MultiPartException as error:
        raise ValueError(error.message) from None


def problem(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An error answer: {"error": "what went wrong and how to fix it"}."""
    document: dict[str, Any] = {"error": message}
    return JSONResponse(document, status_code=status, headers=headers)
