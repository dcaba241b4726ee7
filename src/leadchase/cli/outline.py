"""The root command as plain data: what leadchase is, its options, and its commands by name.

Typer builds the root from it (cli/root.py: its help, its options' names and words), the root's
group finds each command's module in COMMANDS (cli/lazy.py), and `leadchase --help` is printed
from it alone, without importing Typer (root_help.py). tests/test_cli_lazy.py checks that what
is printed is what Typer's own Rich help prints for the built app.
"""

from __future__ import annotations

from typing import NamedTuple

HELP = "Follow up every internet lead: import, today's agenda, automated texts and emails."
# What follows the program's name on the usage line: Click's words for a group.
USAGE = "[OPTIONS] COMMAND [ARGS]..."


class RootOption(NamedTuple):
    names: tuple[str, ...]
    value: str  # the value it takes as the help shows it ("" for a flag)
    help: str


HOME = RootOption(
    ("--home",),
    "<path>",
    "Workspace folder (default: $LEADCHASE_HOME, else the nearest leadchase.toml upward).",
)
VERSION = RootOption(("--version",), "", "Show the version and exit.")
HELP_OPTION = RootOption(("-h", "--help"), "", "Show this message and exit.")
# In the order the help lists them. The two completion options and the help option's words are
# Typer's and Click's own: tests/test_cli_lazy.py fails if they change.
OPTIONS = (
    HOME,
    VERSION,
    RootOption(("--install-completion",), "", "Install completion for the current shell."),
    RootOption(
        ("--show-completion",),
        "",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
    HELP_OPTION,
)


class Entry(NamedTuple):
    module: str  # leadchase.cli.<module> registers it
    summary: str  # the first paragraph of its help, as the root's --help lists it


# The order of --help and of docs/cli.md: Typer lists commands before groups.
COMMANDS: dict[str, Entry] = {
    "init": Entry(
        "workspace", "Create a workspace: leadchase.toml, cadences/, templates/ and the database."
    ),
    "import": Entry(
        "imports",
        "Import lead files: detect the format, clean every field, dedupe, and reject what "
        "cannot be used.",
    ),
    "today": Entry(
        "today",
        "Who to call, text and email right now, most urgent first, in each lead's local time.",
    ),
    "log": Entry(
        "leads",
        "Record a call, text or email you made; it completes the matching task on the agenda.",
    ),
    "show": Entry(
        "leads",
        "A lead's details and timeline: touches made and planned, messages, stage changes, notes.",
    ),
    "stage": Entry(
        "leads", "Move a lead to another stage; its cadence switches as cadences/stages.yaml says."
    ),
    "set": Entry(
        "leads",
        "Set what you learned about a lead: its note rate, closing date, birthday, loan...",
    ),
    "snooze": Entry(
        "leads", "Hide a lead from the agenda and from automated sends until a later time."
    ),
    "leads": Entry("leads", "List and search leads, newest first."),
    "assign": Entry(
        "officers",
        "Give a lead to another officer: its planned touches follow, sent from their number.",
    ),
    "send": Entry(
        "send",
        "Send the automated texts and emails that are due and allowed now (run it from cron).",
    ),
    "doctor": Entry(
        "doctor", "Check the workspace, settings, Twilio and SMTP without sending anything."
    ),
    "sync": Entry(
        "replies",
        "Fetch new texts from Twilio: pause leads who replied, honour STOP, START and HELP.",
    ),
    "inbox": Entry("replies", "Recent texts from leads, unanswered first."),
    "daemon": Entry(
        "daemon",
        "Keep sending: a send pass every minute and, with --watch, new lead files imported "
        "at once.",
    ),
    "optout": Entry(
        "dnc",
        "Record an opt-out a lead gave you by phone or email: that channel stops for good.",
    ),
    "resume": Entry(
        "dnc", "A text read as a possible opt-out was not one: let automated texts go on."
    ),
    "stats": Entry(
        "stats",
        "Is the follow-up working? Speed to lead, attempts, replies, conversion by source.",
    ),
    "export": Entry(
        "export",
        "Export every lead, touch or message as CSV or JSON, for a spreadsheet or a CRM.",
    ),
    "agenda": Entry(
        "agenda",
        "Your calls of the coming days, one per lead per day; --ics makes a calendar file of them.",
    ),
    "officer": Entry(
        "officers", "The team's officers: each with their own leads, Twilio number and signature."
    ),
    "cadence": Entry("cadence", "Check and preview cadence files."),
    "template": Entry("templates", "List, preview and lint the message templates."),
    "compliance": Entry("compliance", "Show that automated texts kept to the rules."),
    "token": Entry(
        "token", "The listener's bearer token: show it to set up a sender, rotate it if it leaked."
    ),
    "dnc": Entry("dnc", "The do-not-call list: its numbers get no calls and no texts."),
    "rates": Entry(
        "rates",
        "Market rates by day; past clients and nurture leads a rate drop could save money.",
    ),
    "db": Entry(
        "db",
        "The workspace database: check that it is whole, back it up, migrate it, copy it to "
        "PostgreSQL.",
    ),
}
