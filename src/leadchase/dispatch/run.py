"""One send run: each due automated touch is checked, rendered, claimed, sent and recorded."""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection

from leadchase.cadence.service import FollowUp
from leadchase.channels.base import OutgoingEmail, ProviderError, SendOutcome
from leadchase.context import Context
from leadchase.dispatch import recovery
from leadchase.dispatch.checks import Looked, held_back
from leadchase.dispatch.recording import Claim, Stops, record_claims
from leadchase.dispatch.senders import Senders, SendItem, SendResult
from leadchase.gate import Gate
from leadchase.messaging import Rendered, TemplateLibrary, render_touch
from leadchase.messaging.segments import too_long
from leadchase.rates.alerts import rate_details
from leadchase.store import sending as store
from leadchase.store.records import NOTHING_SENT, DueTouch, Lead, Sent
from leadchase.team import Team

IN_RUN_RETRIES = 3  # 429/5xx: tries within one run before leaving it for the next
# Texts are claimed, and their results recorded, a batch to a transaction: at most this many,
# and no more than BATCH_SECONDS of pacing, so a policy check is never much older than its
# send. A run killed mid-batch leaves the batch's claims to recovery, which looks each one up
# at Twilio before it is sent. Emails go one to a claim: SMTP cannot be asked what went.
TEXT_BATCH = 50
BATCH_SECONDS = 1.0
Found = TypeVar("Found")


class SendRun:
    """One pass over the due automated touches. `now` is the run's start; the clock moves on
    from it by the real time the run takes (pacing), so LEADCHASE_NOW simulations still work."""

    def __init__(
        self,
        context: Context,
        now: datetime,
        senders: Senders,
        *,
        dry_run: bool = False,
        limit: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.context = context
        self.start = now
        self.senders = senders
        self.dry_run = dry_run
        self.limit = limit
        self.sleep = sleep
        self.monotonic = monotonic
        self.started = monotonic()
        self.followup = FollowUp.load(context.settings)
        self.result = SendResult(dry_run=dry_run, channels=senders.channels)
        self._last_text = -1e9
        self._library = TemplateLibrary(context.settings.workspace.templates_dir)
        self._secret: str | None = None
        self.team = Team.load(context)  # each lead hears from its officer, from their number
        self.gate = Gate(context.settings, self.followup, self.team.officers)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.monotonic() - self.started)

    def run(self) -> SendResult:
        database = self.context.database
        if not self.dry_run:
            settled = recovery.reconcile(database, self._lookup(), self.followup, self.now)
            self.result.reconciled += settled.count
            self.result.items += settled.unknown
            if settled.problem is not None:
                self._channel_failed("text", settled.problem, "a text an interrupted run left")
            self._read_replies()
        with database.reading() as connection:
            due = store.due_automated(connection, self.start, self.senders.channels, self.limit)
        pending = deque(due)
        while pending and not self.result.halted:
            held = self.result.held_channels.get(pending[0].touch.channel)
            if held is not None:
                self._item(pending.popleft(), f"held until the next run: {held}")
                continue
            self._batch(pending)
        texts = self.senders.texts
        if not self.dry_run and texts is not None and self._texts_working():
            self.result.statuses_updated += recovery.follow_up_statuses(
                database, texts, self.start - recovery.STATUS_LOOKBACK, self.now
            )
        return self.result

    # -- a provider in trouble ---------------------------------------------------------------

    def _texts_working(self) -> bool:
        return not self.result.halted and "text" not in self.result.held_channels

    def _read_replies(self) -> None:
        """Replies first: a lead who answered since the last pass gets no automated text. When
        they cannot be read, no text goes out this run (emails still do)."""
        from leadchase.replies import sync_replies

        texts = self.senders.texts
        if texts is None or not self._texts_working():
            return
        try:
            synced = self._patiently(
                lambda: sync_replies(self.context, self.start, texts, send_alerts=False)
            )
        except ProviderError as error:
            self._channel_failed("text", error, "replies could not be checked")
            return
        self.result.replies = len(synced.items)
        if synced.incomplete is not None:
            self._hold_channel("text", synced.incomplete)

    def _lookup(self) -> recovery.Lookup | None:
        """Twilio's search for a text an interrupted run may have sent, with in-run retries."""
        texts = self.senders.texts
        if texts is None or not self._texts_working():
            return None
        return lambda to, body, since: self._patiently(lambda: texts.find_sent(to, body, since))

    def _patiently(self, call: Callable[[], Found]) -> Found:
        """`call`, tried again with backoff while the provider answers with passing trouble."""
        for attempt in range(IN_RUN_RETRIES):
            try:
                return call()
            except ProviderError as error:
                if error.outcome != "retry" or attempt == IN_RUN_RETRIES - 1:
                    raise
                self._back_off(attempt, error.retry_after)
        raise AssertionError("unreachable")

    def _back_off(self, attempt: int, retry_after: float | None) -> None:
        # Exponential backoff with jitter, honouring Retry-After when the provider gives one.
        delay = retry_after or (2**attempt) * (0.5 + random.random())
        self.sleep(min(delay, 30.0))

    def _channel_failed(self, channel: str, error: ProviderError, what: str) -> None:
        """A halt stops the run; any other trouble holds the channel's touches for this run."""
        if error.outcome == "halt":
            self.result.halted = str(error)
        else:
            self._hold_channel(channel, f"{what} ({error})")

    def _hold_channel(self, channel: str, why: str) -> None:
        """No more calls to this channel's provider this run: it is down, or hung, or refusing."""
        self.result.held_channels[channel] = why

    def _item(self, task: DueTouch, reason: str = "") -> SendItem:
        """The run's line for this touch, "held" until it is known what became of it."""
        touch, lead = task.touch, task.lead
        to = lead.phone if touch.channel == "text" else lead.email
        item = SendItem(
            touch.id, lead.id, lead.name or "(no name)", touch.channel, to or "", "held"
        )
        item.reason = reason
        self.result.items.append(item)
        return item

    # -- one touch ---------------------------------------------------------------------------

    def _batch(self, pending: deque[DueTouch]) -> None:
        """Check, render and claim the next touches in one transaction (texts a batch at a time,
        an email alone), then send them and record what became of them in one more."""
        claims: list[Claim] = []
        tasks = self._next_batch(pending)
        with self.context.database.writing() as connection:
            # One moment and one query each for the batch's policy checks, attempt counts and
            # the wording its leads already got (a batch has each lead once).
            moment = self.now()
            verdicts = self.gate.check_many(
                connection,
                [(task.lead, task.touch.channel) for task in tasks],
                automated=True,
                moment=moment,
            )
            leads = [task.lead.id for task in tasks]
            attempts = store.channel_attempts_of(connection, leads, tasks[0].touch.channel)
            sent = store.sent_to_of(connection, leads)
            for index, (task, verdict) in enumerate(zip(tasks, verdicts, strict=True)):
                if self.result.halted or task.touch.channel in self.result.held_channels:
                    # A lookup failed: the rest wait, as after a hold.
                    pending.extendleft(reversed(tasks[index:]))
                    break
                look = Looked(moment, verdict, attempts.get(task.lead.id, 0) + 1)
                claim = self._prepare(connection, task, look, sent.get(task.lead.id, NOTHING_SENT))
                if claim is not None:
                    claims.append(claim)
            claims = self._claim(connection, claims, moment)
        # The claims are committed: whatever happens from here, no touch is sent twice.
        handed = 0
        try:
            for claim in claims:
                handed += 1
                claim.outcome = self._deliver(claim.task, claim.rendered)
                claim.at = self.now()
                if claim.outcome.outcome in ("unconfirmed", "retry", "halt"):
                    break  # the channel is held (or the run halted) from here
        finally:
            # Recorded, and the claims never handed to the provider given back (on any error
            # too: the claim in flight stays for recovery).
            done = [claim for claim in claims[:handed] if claim.outcome is not None]
            unsent = claims[handed:]
            stops = Stops()
            if claims:
                with self.context.database.writing() as connection:
                    stops = record_claims(connection, self.followup, done)
                    store.release(
                        connection,
                        [claim.task.touch.id for claim in unsent],
                        [claim.message_id for claim in unsent],
                    )
        for channel, why in stops.held:
            self._hold_channel(channel, why)
        self.result.halted = self.result.halted or stops.halted
        if unsent:  # back to the queue, to be held (or left, when halted) as before
            given_back = {id(claim.item) for claim in unsent}
            self.result.items = [i for i in self.result.items if id(i) not in given_back]
            pending.extendleft(reversed([claim.task for claim in unsent]))

    def _claim(self, connection: Connection, ready: list[Claim], moment: datetime) -> list[Claim]:
        """Claim the touches ready to go and write their messages, a statement or two for all."""
        if not ready:
            return []
        taken = store.claim_many(connection, [claim.task.touch.id for claim in ready], moment)
        claims = []
        for claim in ready:
            if claim.task.touch.id in taken:
                claims.append(claim)
            else:
                claim.item.result = "skipped"
                claim.item.reason = "already taken by another run"
        ids = store.add_claimed_messages(connection, [claim.message for claim in claims])
        for claim in claims:
            claim.message_id = ids[claim.task.touch.id]
        return claims

    def _next_batch(self, pending: deque[DueTouch]) -> list[DueTouch]:
        """The next touches to claim together: consecutive texts to different leads and
        numbers (what one records can change the next one's check), at most a batch."""
        first = pending.popleft()
        batch = [first]
        if first.touch.channel != "text":
            return batch
        size = min(TEXT_BATCH, int(self.senders.messages_per_second * BATCH_SECONDS))
        leads, phones = {first.lead.id}, {first.lead.phone}
        while pending and len(batch) < size:
            task = pending[0]
            if task.touch.channel != "text" or task.lead.id in leads or task.lead.phone in phones:
                break
            leads.add(task.lead.id)
            phones.add(task.lead.phone)
            batch.append(pending.popleft())
        return batch

    def _prepare(
        self, connection: Connection, task: DueTouch, look: Looked, sent: Sent
    ) -> Claim | None:
        """The policy's answer, the rendered message and the claim for one due touch; None
        when it is not to be sent now (skipped, waiting, held, or a dry run)."""
        touch, lead = task.touch, task.lead
        channel = touch.channel
        to = lead.phone if channel == "text" else lead.email
        item = self._item(task)
        moment, attempt = look.moment, look.attempt
        if held_back(connection, self.followup, task, item, look, dry_run=self.dry_run):
            return None
        rendered = render_touch(
            self._library,
            self.team.officer_for(lead),
            touch,
            lead,
            attempt=attempt,
            now=moment,
            sent=sent,
            rate=rate_details(connection, touch),
        )
        if rendered is None:  # a broken template holds its touches, never stops the run
            item.result, item.reason = "held", f"template {touch.template!r} cannot be rendered"
            return None
        long = too_long(rendered.segments, self.context.settings.twilio.max_segments)
        if long is not None:  # held like a broken template, until the template is shortened
            item.result, item.reason = "held", long
            return None
        item.template, item.variant = rendered.template, rendered.variant
        item.body, item.subject = rendered.body, rendered.subject
        if self.dry_run:
            item.result, item.reason = "would-send", "due and allowed"
            return None
        if touch.outcome == recovery.UNCONFIRMED:
            try:
                found = recovery.sent_before_crash(connection, self._lookup(), self.followup, task)
            except ProviderError as error:  # still unknown: it waits, claimed by nobody
                self._channel_failed("text", error, "an earlier text could not be looked up")
                item.reason = f"held until the next run: {error}"
                return None
            if found is not None:
                item.result, item.reason = "sent", "sent by an interrupted run; recorded"
                item.provider_id = found
                self.result.reconciled += 1
                return None
        return Claim(
            task,
            item,
            rendered,
            attempt,
            {
                "lead_id": lead.id,
                "touch_id": touch.id,
                "direction": "out",
                "channel": channel,
                "to_address": to,
                "from_address": (self.team.sender_for(lead) or self.senders.from_number)
                if channel == "text"
                else self.senders.from_address,
                "subject": rendered.subject,
                "body": rendered.body,
                "template": rendered.template,
                "variant": rendered.variant,
                "status": "claimed",
                "created_at": moment,
            },
        )

    def _deliver(self, task: DueTouch, rendered: Rendered) -> SendOutcome:
        lead, channel = task.lead, task.touch.channel
        to = (lead.phone if channel == "text" else lead.email) or ""
        for attempt in range(IN_RUN_RETRIES):
            if channel == "text":
                assert self.senders.texts is not None
                self._pace()
                outcome = self.senders.texts.send_text(
                    to, rendered.body, self.team.sender_for(lead)
                )
            else:
                assert self.senders.emails is not None
                outcome = self.senders.emails.send_email(self._email(to, rendered, lead))
            if outcome.outcome != "retry" or attempt == IN_RUN_RETRIES - 1:
                return outcome
            self._back_off(attempt, outcome.retry_after)
        raise AssertionError("unreachable")

    def _pace(self) -> None:
        gap = 1.0 / max(self.senders.messages_per_second, 0.001)
        wait = self._last_text + gap - self.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_text = self.monotonic()

    def _email(self, to: str, rendered: Rendered, lead: Lead) -> OutgoingEmail:
        from leadchase.channels.unsubscribe import (
            list_unsubscribe_header,
            unsubscribe_token,
            workspace_secret,
        )

        officer = self.team.officer_for(lead)
        token = unsubscribe_token(workspace_secret(self.context.settings.workspace.root), lead.id)
        reply_to = officer.email or self.senders.from_address
        return OutgoingEmail(
            to=to,
            subject=rendered.subject or "",
            body=rendered.body,
            from_name=officer.name,
            from_address=self.senders.from_address,
            reply_to=reply_to,
            list_unsubscribe=list_unsubscribe_header(reply_to, token),
        )
