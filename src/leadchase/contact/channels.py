"""The channels a lead is reached on, named once: call, text, email.

Cadences, touches, the agenda, sends, opt-outs, reports and templates all use these words (a
template file's `.sms.j2` suffix is file naming only, read as "text" by messaging/library.py).
Here in contact/, below every feature, so none of them defines its own.
"""

from __future__ import annotations

from typing import Literal

Channel = Literal["call", "text", "email"]
# The order channels are listed in everywhere: the agenda, reports, a cadence's touches.
CHANNELS: tuple[Channel, ...] = ("call", "text", "email")
# The channels leadchase sends on itself (and has templates for); it never dials.
MessageChannel = Literal["text", "email"]
MESSAGE_CHANNELS: tuple[MessageChannel, ...] = ("text", "email")
AUTOMATABLE: frozenset[Channel] = frozenset(MESSAGE_CHANNELS)
# Telephone solicitations: what the contact windows and the states' attempt caps count. An
# email is neither (an automated one still keeps to the window; see compliance/policy.py).
SOLICITATIONS: tuple[Channel, ...] = ("call", "text")
