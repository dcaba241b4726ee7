"""Which wording a lead gets: stable per lead and step, never a repeat of what it already got.

The choice is seeded by a blake2b hash of (lead id, step key), not Python's hash(), which is
salted per process: a cron run and the daemon must pick the same variant for the same touch,
and reply rates per variant are only meaningful if the choice does not drift.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def stable_index(lead_id: int, step_key: str, count: int) -> int:
    digest = hashlib.blake2b(f"{lead_id}:{step_key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def candidate_order(lead_id: int, step_key: str, count: int) -> list[int]:
    """Variant indexes to try: the stable choice first, then the following ones, wrapping."""
    start = stable_index(lead_id, step_key, count)
    return [(start + offset) % count for offset in range(count)]


def wording(text: str) -> str:
    """A message's wording for repeat checks: case and spacing do not make a text different."""
    return " ".join(text.split()).casefold()


def first_fresh(bodies: Sequence[str], previous_bodies: Sequence[str]) -> int:
    """The position in `bodies` (already in candidate order) to send.

    The first wording the lead has never had; when every wording has been sent, the first that
    differs from the most recent message (`previous_bodies` is oldest first); else the first.
    """
    sent = {wording(body) for body in previous_bodies}
    for position, body in enumerate(bodies):
        if wording(body) not in sent:
            return position
    if previous_bodies:
        last = wording(previous_bodies[-1])
        for position, body in enumerate(bodies):
            if wording(body) != last:
                return position
    return 0
