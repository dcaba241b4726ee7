"""`leadchase doctor`: is everything set up to follow up leads, without sending anything?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadchase.config import missing_details
from leadchase.context import Context
from leadchase.errors import LeadchaseError

if TYPE_CHECKING:
    from leadchase.channels.twilio_sms import TwilioTexts


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    advisory: bool = False  # not a problem, just worth knowing


def run_checks(context: Context) -> list[Check]:
    from leadchase.cadence.service import FollowUp
    from leadchase.channels.config import smtp_settings, twilio_settings

    settings = context.settings
    checks = [Check("workspace", True, str(settings.workspace.root))]
    officer = settings.officer
    missing = missing_details(settings)
    checks.append(
        Check(
            "your details",
            not missing,
            missing or f"{officer.name}, {officer.company}",
            "fill them in: every automated text and email is signed with them, and `send` "
            "sends nothing until they are there",
        )
    )
    checks.append(
        Check(
            "NMLS",
            bool(officer.nmls),
            officer.nmls or "[officer] nmls is empty, so no email shows your NMLS id",
            "set it if you hold one: many states require it in mortgage advertising",
            advisory=True,
        )
    )
    followup = FollowUp.load(settings, check_settings=False)
    problems = followup.cadences.problems
    try:
        followup.check_settings()
    except LeadchaseError as error:
        checks.append(Check("cadences", False, str(error)))
    else:
        checks.append(
            Check(
                "cadences",
                not problems,
                f"{len(followup.cadences.cadences)} loaded" if not problems else str(problems[0]),
                "run `leadchase cadence check` and fix the files it names",
            )
        )
    try:
        twilio = twilio_settings(settings)
        smtp = smtp_settings(settings)
    except LeadchaseError as error:
        return [*checks, Check("sending settings", False, str(error))]
    if twilio.configured:
        from leadchase.channels.twilio_sms import TwilioTexts

        texts = TwilioTexts(twilio)
        try:
            problem = texts.check()
            checks.append(
                Check(
                    "Twilio",
                    problem is None,
                    problem
                    or f"credentials work, sending from {twilio.from_number or twilio.messaging_service_sid}",
                )
            )
            if problem is None:  # an account that fails fails every officer's number alike
                checks += _officer_senders(context, texts, twilio.account_sid)
        finally:
            texts.close()
    else:
        checks.append(
            _unset(
                "Twilio",
                twilio.missing,
                "texts",
                "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM",
            )
        )
    if smtp.configured:
        from leadchase.channels.smtp_email import SmtpEmails

        mailer = SmtpEmails(smtp)
        try:
            problem = mailer.check()
        finally:
            mailer.close()
        checks.append(
            Check("SMTP", problem is None, problem or f"login works at {smtp.host}:{smtp.port}")
        )
    else:
        checks.append(
            _unset(
                "SMTP", smtp.missing, "emails", "set LEADCHASE_SMTP_HOST and LEADCHASE_SMTP_FROM"
            )
        )
    return checks


def _officer_senders(context: Context, texts: TwilioTexts, account: str) -> list[Check]:
    """Each active officer's own number or messaging service, checked as [twilio]'s number is:
    a text of theirs from one the account does not hold would fail at every send."""
    from leadchase.channels.twilio_sms import TwilioError
    from leadchase.team import Team

    checks = []
    for member in Team.load(context).active:
        if not member.sender:
            continue  # they text from [twilio]'s, checked above
        what = "messaging service" if member.sender.startswith("MG") else "phone number"
        field = "messaging-service" if what == "messaging service" else "from-number"
        try:
            problem = (
                None
                if texts.is_on_account(member.sender)
                else (f"{member.sender} is not a {what} on Twilio account {account}")
            )
        except TwilioError as error:
            problem = str(error)
        checks.append(
            Check(
                f"Twilio for {member.name}",
                problem is None,
                problem or f"their texts go from {member.sender}",
                "add it to the Twilio account, or give them one of its own: `leadchase officer "
                f'set "{member.name}" {field}=...`',
            )
        )
    return checks


def _unset(channel: str, missing: tuple[str, ...], messages: str, fix: str) -> Check:
    """A channel not set up (a note: its steps stay on the agenda) or set up halfway (a problem:
    `send` sends nothing until it is finished)."""
    where = " (see docs/configuration.md)"
    if missing:
        return Check(
            channel,
            False,
            f"partly set up: missing {', '.join(missing)}",
            f"set them, or remove the rest to leave automated {messages} on the agenda{where}",
        )
    return Check(
        channel,
        False,
        f"not configured: automated {messages} show on the agenda as tasks",
        fix + where,
        advisory=True,
    )
