"""`template preview` renders at the moment the message would go out, as the real send does."""

from __future__ import annotations

from datetime import timedelta

from leadchase.cadence.service import FollowUp
from leadchase.channels.base import InboundText
from leadchase.context import open_workspace
from leadchase.replies import record_inbound
from leadchase.workspace import Workspace
from tests.conftest import SF_MORNING, import_lead, run, run_json

REPLIED = SF_MORNING + timedelta(minutes=10)
THREE_DAYS_ON = REPLIED + timedelta(days=3, hours=2)
SINCE = (
    "Hi {{ lead.first_name }}, {{ lead.days_since_reply }} days since your reply, "
    "{{ lead.days_since_arrival }} since you reached out.\n"
)
EMAIL_SINCE = f"Subject: Checking in\n{SINCE}{{{{ email_footer }}}}\n"


def _replied_lead(workspace: Workspace) -> int:
    lead = import_lead(workspace, SF_MORNING)
    reply = InboundText("SMreply1", "+14155552671", "+13055550100", "yes still looking", REPLIED)
    with open_workspace(workspace.root) as context:
        assert record_inbound(context, FollowUp.load(context.settings), None, reply, REPLIED)
    custom = workspace.templates_dir / "custom"
    custom.mkdir()
    (custom / "since-text.sms.j2").write_text(SINCE)
    (custom / "since-email.email.j2").write_text(EMAIL_SINCE)
    return lead


def test_a_lead_with_no_planned_touch_on_the_channel_is_previewed_as_of_now(
    workspace: Workspace,
) -> None:
    lead = _replied_lead(workspace)  # the engaged cadence plans calls and texts, no email
    preview = run_json(
        "template", "preview", "custom/since-email", "--lead", str(lead), now=THREE_DAYS_ON
    )
    (message,) = preview["messages"]
    assert "Hi Ann, 3 days since your reply, 3 since you reached out." in message["body"]
    assert preview["at"] == THREE_DAYS_ON.isoformat()

    shown = run("template", "preview", "custom/since-email", "--lead", str(lead), now=THREE_DAYS_ON)
    assert shown.exit_code == 0, shown.output
    assert "3 days since your reply" in shown.stdout
    assert "as sent Thu Mar 5 12:10 PM PST (now)" in shown.stdout


def test_a_lead_is_previewed_at_its_next_planned_touch_on_the_channel(
    workspace: Workspace,
) -> None:
    lead = _replied_lead(workspace)  # its engaged text is planned for the moment it replied
    preview = run_json("template", "preview", "custom/since-text", "--lead", str(lead), now=REPLIED)
    (message,) = preview["messages"]
    assert message["body"] == "Hi Ann, 0 days since your reply, 0 since you reached out."
    assert preview["at"] == REPLIED.isoformat()
    shown = run("template", "preview", "custom/since-text", "--lead", str(lead), now=REPLIED)
    assert "as sent Mon Mar 2 10:10 AM PST (its next planned text)" in shown.stdout

    # Three days on, that text is late: it would go out now, and counts its days to now.
    late = run_json(
        "template", "preview", "custom/since-text", "--lead", str(lead), now=THREE_DAYS_ON
    )
    (message,) = late["messages"]
    assert message["body"] == "Hi Ann, 3 days since your reply, 3 since you reached out."
    assert late["at"] == THREE_DAYS_ON.isoformat()
    shown = run("template", "preview", "custom/since-text", "--lead", str(lead), now=THREE_DAYS_ON)
    assert "as sent Thu Mar 5 12:10 PM PST (its next planned text)" in shown.stdout


def test_the_sample_lead_arrives_now_and_never_replied(workspace: Workspace) -> None:
    custom = workspace.templates_dir / "custom"
    custom.mkdir()
    (custom / "since-text.sms.j2").write_text(
        "Hi {{ lead.first_name }}, {% if lead.days_since_reply is none %}no reply{% endif %}, "
        "{{ lead.days_since_arrival }} days.\n"
    )
    preview = run_json("template", "preview", "custom/since-text", now=THREE_DAYS_ON)
    (message,) = preview["messages"]
    assert message["body"] == "Hi Ana, no reply, 0 days."
    assert preview["at"] == THREE_DAYS_ON.isoformat()
