"""Serving the listener inside the daemon: uvicorn on a socket bound up front, in a thread.

The socket is bound before anything starts, so a port already taken is a one-line error and
not a thread dying later; `--listen 127.0.0.1:0` takes a free port, named in the log. The
server runs in its own thread next to the scheduler: the daemon's own signal handling stays
as it is (uvicorn only takes over signals in the main thread) and stops it with `stop()`.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leadchase.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

    import uvicorn

DEFAULT_PORT = 8787
START_SECONDS = 10.0
STOP_SECONDS = 10.0
EXTRA_MISSING = (
    "the listener needs the serve extra (Starlette, uvicorn and python-multipart): "
    "pip install 'leadchase[serve]', or run the daemon without --listen"
)


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_listen(text: str) -> Address:
    """HOST:PORT ("127.0.0.1:8787", "[::1]:8787", "0.0.0.0:8787") or a bare PORT (loopback)."""
    value = text.strip()
    host, port = "127.0.0.1", value
    if value.startswith("["):
        inside, bracket, after = value[1:].partition("]")
        if not bracket or not after.startswith(":"):
            raise ConfigError(f"--listen {text!r}: write an IPv6 address as [::1]:{DEFAULT_PORT}")
        host, port = inside, after[1:]
    elif ":" in value:
        host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"--listen {text!r} is not HOST:PORT; use e.g. 127.0.0.1:{DEFAULT_PORT}")
    return Address(host, int(port))


def check_extra() -> None:
    """The serve extra is installed, or a one-line error saying how to get it."""
    try:
        import uvicorn  # noqa: F401
        from starlette import formparsers
    except ImportError:
        raise ConfigError(EXTRA_MISSING) from None
    # Starlette loads without python-multipart and only fails on the first form it reads.
    if getattr(formparsers, "multipart", None) is None:
        raise ConfigError(EXTRA_MISSING)


def bind(address: Address) -> socket.socket:
    """A listening socket on `address`; a taken port or an address not on this machine is a
    one-line error."""
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    try:
        infos = socket.getaddrinfo(address.host, address.port, family, socket.SOCK_STREAM)
    except socket.gaierror:
        raise ConfigError(f"--listen {address}: no such address; use e.g. 127.0.0.1") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(infos[0][4])
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise ConfigError(
            f"cannot listen on {address}: {error.strerror}; stop what uses that port or "
            "choose another with --listen"
        ) from None
    sock.set_inheritable(False)
    return sock


class Listener:
    """The HTTP server for one daemon run: `start()` returns once it is serving."""

    def __init__(
        self,
        home: Path,
        sock: socket.socket,
        *,
        max_body: int,
        leads_arrived: Callable[[], None],
    ) -> None:
        import uvicorn

        from leadchase.listener.app import build_app

        app = build_app(home, max_body=max_body, leads_arrived=leads_arrived)
        # No log config of uvicorn's own: its lines go through the daemon's handler (redacted),
        # and no access log (it would name every caller's address and path).
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        self.server: uvicorn.Server = uvicorn.Server(config)
        self.sock = sock
        host, port = sock.getsockname()[:2]
        self.address = Address(host, port)
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="listener", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.sock.close()
                raise ConfigError(f"the listener on {self.address} did not start; see the log")
            time.sleep(0.01)

    def stop(self) -> None:
        """Finish the requests in flight, then stop (a new lead post is not cut in half)."""
        self.server.should_exit = True
        self._thread.join(STOP_SECONDS)
        self.sock.close()


def start_listener(
    home: Path, address: Address, max_body: int, leads_arrived: Callable[[], None]
) -> Listener:
    """Bind `address` and serve the listener there; returns once it answers."""
    # uvicorn's start and stop chatter stays out of the daemon's one-line-per-action log; its
    # errors still come through, and the intake's own lines (never the token) go in.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    logging.getLogger("leadchase.listener").setLevel(logging.INFO)
    listener = Listener(home, bind(address), max_body=max_body, leads_arrived=leads_arrived)
    listener.start()
    return listener
