"""The root command's group, which imports a command's module only when that command runs.

Building every command (importing its module, then Typer reading its signature) costs more than
the work of `leadchase today` itself, so the root knows its commands by name from COMMANDS and
builds one on first use. `leadchase --help` lists them from the same table, with the first line
of each one's help (tests/test_cli_lazy.py keeps both equal to the real commands).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

import typer

from leadchase.cli.help_panels import Group, flags_take_no_value, use_everywhere

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter


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
    "db": Entry(
        "db",
        "The workspace database: check that it is whole, back it up, migrate it, copy it to "
        "PostgreSQL.",
    ),
}


def built_commands(module_name: str) -> dict[str, Command]:
    """Every command that leadchase.cli.<module_name> registers, built as Typer builds them."""
    module = importlib.import_module(f"leadchase.cli.{module_name}")
    holder = typer.Typer(rich_markup_mode="rich")
    module.register(holder)
    use_everywhere(holder)
    return dict(typer.main.get_group(holder).commands)


class LazyGroup(Group):
    """A group that builds a command from COMMANDS when it is first asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        entry = COMMANDS.get(cmd_name)
        if cmd_name not in self.commands and entry is not None:
            for name, command in built_commands(entry.module).items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        if self.rich_markup_mode != "rich":  # plain Click help (docs/cli.md): the real commands
            super().format_help(ctx, formatter)
            return
        from leadchase.cli.root_help import print_root_help

        flags_take_no_value(self, ctx)
        print_root_help(self, ctx, [(name, entry.summary) for name, entry in COMMANDS.items()])
