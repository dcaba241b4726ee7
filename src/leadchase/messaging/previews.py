"""The agenda's message previews kept between runs: `today` shows the text or email a task would
send without loading Jinja (some 19 ms of CPU in a fresh process) when nothing the message
depends on changed.

A preview is kept in the workspace's parsed cache (parsed_cache.py) under the task's place on
the agenda ("text 3"), so the cache holds one page of previews, not every message ever shown.
It is used only when a digest of everything that picks and renders the wording is unchanged: the
template file's lines, the variables, the lead id and step key (the wording's seed), what the
lead was already sent, and the code that renders (leadchase's rendering modules and Jinja's
version, by their files' bytes). Anything else renders afresh; a send always does.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from leadchase.messaging.context import MessageContext, template_variables
from leadchase.messaging.library import TemplateLibrary
from leadchase.messaging.render import Rendered, render
from leadchase.messaging.segments import segment_info
from leadchase.parsed_cache import parsed
from leadchase.store.records import Sent

# The modules that pick a wording and give a message its final characters (all loaded here).
_RENDERING = (
    "leadchase.display",
    "leadchase.messaging.library",
    "leadchase.messaging.render",
    "leadchase.messaging.variants",
)
_code: bytes | None = None


def kept_render(
    place: str,
    library: TemplateLibrary,
    name: str,
    ctx: MessageContext,
    *,
    lead_id: int,
    step_key: str,
    sent: Sent,
) -> Rendered:
    """`render(library, name, ctx, ...)`, or what it gave the last time the task at `place`
    had the same inputs. A TemplateError is raised as render raises it (and never kept)."""
    template = library.get(name)
    inputs = (
        _rendering_code(),
        template.name,
        template.channel,
        template.lines,
        template_variables(ctx, ctx.offer_kind),
        lead_id,
        step_key,
        sent.bodies,
        sent.subjects,
    )
    digest = hashlib.sha256(repr(inputs).encode()).digest()

    def fresh(_: bytes) -> tuple[str, int, str | None, str]:
        made = render(library, name, ctx, lead_id=lead_id, step_key=step_key, sent=sent)
        return made.template, made.variant, made.subject, made.body

    shown, variant, subject, body = parsed(f"preview: {place}", digest, fresh)
    segments = segment_info(body) if template.channel == "text" else None
    return Rendered(shown, variant, template.channel, subject, body, segments)


def _rendering_code() -> bytes:
    """The bytes of the code that turns a template and its variables into a message: a new
    leadchase or Jinja renders afresh."""
    global _code
    if _code is None:
        from importlib.util import find_spec

        jinja = find_spec("jinja2")
        files = [sys.modules[name].__file__ for name in _RENDERING]
        files.append(jinja.origin if jinja is not None else None)
        code = [Path(file).read_bytes() if file else b"" for file in files]
        _code = hashlib.sha256(b"\0".join([sys.version.encode(), *code])).digest()
    return _code
