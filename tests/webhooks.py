"""The listener in-process for tests: its app served for real by uvicorn, Twilio's requests
signed by the SDK.

    with serve_listener(workspace.root) as base_url:
        post_signed(base_url, "/twilio/sms", {"MessageSid": ..., "From": ..., "Body": "STOP"})

The app is the one the daemon serves (listener/app.py build_app: /leads and Twilio's routes),
without the daemon around it: a lead posted here is stored and alerted of, but no send pass
follows. Requests go over a real socket on 127.0.0.1 with `requests`, Twilio's signed with
twilio's own RequestValidator.compute_signature against PUBLIC_URL, the address Twilio is told
the listener has (a tunnel or proxy's, never reached by the tests).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests
import uvicorn
from twilio.request_validator import RequestValidator

from leadchase.listener.app import build_app
from leadchase.listener.token import read_token
from tests.conftest import wait_for
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER

PUBLIC_URL = "https://leads.example.com"


@contextmanager
def serve_listener(home: Path) -> Iterator[str]:
    """The listener's app served on a free loopback port; yields its base URL."""
    app = build_app(home)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), seconds=15)
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def signature(path: str, fields: Mapping[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature as Twilio computes it for a post to PUBLIC_URL + `path`."""
    return str(RequestValidator(token).compute_signature(PUBLIC_URL + path, dict(fields)))


def post(
    base_url: str, path: str, fields: Mapping[str, str], signed_as: str | None
) -> requests.Response:
    """POST `fields` form-encoded; `signed_as` is the X-Twilio-Signature (None: no header)."""
    headers = {} if signed_as is None else {"X-Twilio-Signature": signed_as}
    return requests.post(base_url + path, data=dict(fields), headers=headers, timeout=30)


def post_signed(base_url: str, path: str, fields: Mapping[str, str]) -> requests.Response:
    return post(base_url, path, fields, signature(path, fields))


def post_lead(
    base_url: str, home: Path, lead: Mapping[str, str], key: str | None = None, source: str = ""
) -> requests.Response:
    """POST /leads with the workspace's token: one lead as JSON, an Idempotency-Key if given."""
    headers = {"Authorization": f"Bearer {read_token(home)}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    params = {"source": source} if source else None
    return requests.post(
        base_url + "/leads", json=dict(lead), headers=headers, params=params, timeout=30
    )


def inbound(sid: str, from_number: str, body: str) -> dict[str, str]:
    """The fields Twilio posts to the messaging webhook for one text to our number."""
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": from_number,
        "To": OUR_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
