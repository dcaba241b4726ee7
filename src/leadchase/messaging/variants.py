"""Which wording a lead gets: stable per lead and step, never a repeat of what it already got.

render() tries the wordings in candidate order and takes the first the lead never got.

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


def least_recent(bodies: Sequence[str], sent_bodies: Sequence[str]) -> int:
    """The position in `bodies` (in candidate order) whose wording the lead got longest ago, or
    never (`sent_bodies` is oldest first); the first of equals."""
    last_sent = {wording(body): number for number, body in enumerate(sent_bodies)}
    return min(
        range(len(bodies)), key=lambda position: last_sent.get(wording(bodies[position]), -1)
    )
