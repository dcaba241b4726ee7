"""`leadchase doctor`: is everything set up to follow up leads, without sending anything?"""

from __future__ import annotations

from dataclasses import dataclass

from leadchase.context import Context
from leadchase.errors import LeadchaseError


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
    missing = [k for k in ("name", "phone", "email", "postal_address") if not getattr(officer, k)]
    checks.append(
        Check(
            "your details",
            not missing,
            "complete" if not missing else f"missing {', '.join(missing)}",
            "fill in [officer] in leadchase.toml (texts are signed with your name; emails need the postal address)",
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

        problem = TwilioTexts(twilio).check()
        checks.append(
            Check(
                "Twilio",
                problem is None,
                problem
                or f"credentials work, sending from {twilio.from_number or twilio.messaging_service_sid}",
            )
        )
    else:
        checks.append(
            Check(
                "Twilio",
                False,
                "not configured: automated texts show on the agenda as tasks",
                "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM (see docs/configuration.md)",
                advisory=True,
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
            Check(
                "SMTP",
                False,
                "not configured: automated emails show on the agenda as tasks",
                "set LEADCHASE_SMTP_HOST and LEADCHASE_SMTP_FROM (see docs/configuration.md)",
                advisory=True,
            )
        )
    return checks
