"""The lint's checks on one rendered message: robot-speak, shouting, compliance, SMS cost.

Each check looks at what a lead would actually read (the template rendered against a sample
lead), so a phrase hidden behind an {% if %} or a merge field that makes a text too long is
caught as well as plain template text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from leadchase.messaging.segments import non_gsm7_characters, segment_info

Severity = Literal["error", "warning"]

MAX_SMS_SEGMENTS = 2
_CAPS_WORD = re.compile(r"\b[A-Z]{4,}\b")
_LINK = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)
# "Reply STOP to opt out", "Text STOP to end", "opt-out", "unsubscribe": what carriers accept.
_OPT_OUT = re.compile(
    r"\b(reply|text|send)\s+[\"']?stop\b|\bopt[\s-]?out\b|\bunsubscribe\b", re.IGNORECASE
)
_GSM7_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": "a plain space",
}


@dataclass(frozen=True)
class Problem:
    """What one check found; the lint turns it into a Finding with a template line."""

    rule: str
    severity: Severity
    message: str
    fix: str
    # Text to look for in the template source to name the line; None: the variant's last line.
    needle: str | None = None


@dataclass(frozen=True)
class RobotPhrase:
    phrase: str
    fix: str


@dataclass(frozen=True)
class Message:
    """One rendering of a variant, with what the lint needs to judge it."""

    channel: str
    subject: str | None
    body: str
    is_first_touch: bool
    postal_address: str
    unsubscribe_line: str
    unsubscribe_url: str
    ever_talked: bool = False  # the sample lead talked with us
    known: frozenset[str] = frozenset()  # the sample lead's given details (LeadDetails.known)


@cache
def robot_words() -> tuple[tuple[RobotPhrase, ...], frozenset[str]]:
    """The robot-speak phrases and allowed capitalised words from data/robot_phrases.yaml."""
    import yaml

    text = resources.files("leadchase").joinpath("data/robot_phrases.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    phrases = tuple(RobotPhrase(str(row["phrase"]), str(row["fix"])) for row in data["phrases"])
    return phrases, frozenset(str(word) for word in data["allowed_caps"])


# Words that claim a conversation happened: only for a lead who talked with us.
HISTORY_CLAIMS = re.compile(
    r"\b(since|when|after) we (last )?(talked|spoke|chatted)\b|\blast time we (talked|spoke)\b"
    r"|\bas we discussed\b|\bour (last )?(call|conversation|chat)\b|\byou mentioned\b"
    r"|\bthanks for (your|the) reply\b",
    re.IGNORECASE,
)
# What a question asks for, by the lead detail it asks for: never asked once the file holds it.
ASKS_FOR: dict[str, re.Pattern[str]] = {
    "address": re.compile(r"\baddress\b", re.IGNORECASE),
    "loan_amount": re.compile(r"\bbalance\b|\bowe\b|\bloan amount\b", re.IGNORECASE),
    "property_value": re.compile(
        r"\bworth\b|\bhome'?s value\b|\bvalue of (your|the) home\b|\bprice range\b", re.IGNORECASE
    ),
    "loan_purpose": re.compile(
        r"\b(buy|buying|purchase)\b,? or (a |to )?refinanc|\bbuy, refinance\b"
        r"|\bbuying a home, or\b",
        re.IGNORECASE,
    ),
}
_SENTENCE = re.compile(r"[^.?!\n]*\?")


def questions(text: str) -> list[str]:
    """The sentences of `text` that end in a question mark."""
    return _SENTENCE.findall(text)


def asked_for(text: str, known: frozenset[str]) -> list[str]:
    """The given lead details a question of `text` asks for again."""
    asked = " ".join(questions(text))
    return [name for name, pattern in ASKS_FOR.items() if name in known and pattern.search(asked)]


def check_message(message: Message) -> list[Problem]:
    problems = [*_robot_speak(message), *_shouting(message), *_exclamations(message)]
    problems += _claims_history(message) + _asks_known(message)
    if message.channel == "text":
        problems += _sms(message)
    else:
        problems += _email(message)
    if message.is_first_touch:
        problems += _first_touch_links(message)
    return problems


def _words(message: Message) -> str:
    return f"{message.subject}\n{message.body}" if message.subject else message.body


def _robot_speak(message: Message) -> list[Problem]:
    phrases, _ = robot_words()
    text = _words(message)
    return [
        Problem(
            "robot-speak",
            "warning",
            f'"{robot.phrase}" sounds like a form letter',
            robot.fix,
            robot.phrase,
        )
        for robot in phrases
        if re.search(rf"\b{re.escape(robot.phrase)}\b", text, re.IGNORECASE)
    ]


def _claims_history(message: Message) -> list[Problem]:
    if message.ever_talked:
        return []
    claims = dict.fromkeys(m.group(0) for m in HISTORY_CLAIMS.finditer(_words(message)))
    return [
        Problem(
            "history-claim",
            "warning",
            f'"{claim}" goes to leads who never talked with you',
            "wrap it in {% if lead.ever_talked %} and give other words after {% else %}",
            claim,
        )
        for claim in claims
    ]


def _asks_known(message: Message) -> list[Problem]:
    return [
        Problem(
            "asks-known",
            "warning",
            f"asks for the lead's {name.replace('_', ' ')} when the lead file holds it",
            f"ask it only {{% if not lead.given.{name} %}}, and something else otherwise",
            None,
        )
        for name in asked_for(_words(message), message.known)
    ]


def _shouting(message: Message) -> list[Problem]:
    _, allowed = robot_words()
    shouted = dict.fromkeys(
        word for word in _CAPS_WORD.findall(_words(message)) if word not in allowed
    )
    return [
        Problem(
            "shouting",
            "warning",
            f'"{word}" in capitals reads as shouting',
            f'write "{word.capitalize()}"; allowed in capitals: STOP, HELP, NMLS, FHA, VA, USDA',
            word,
        )
        for word in shouted
    ]


def _exclamations(message: Message) -> list[Problem]:
    count = _words(message).count("!")
    if count <= 1:
        return []
    return [
        Problem(
            "exclamation",
            "warning",
            f"{count} exclamation marks; more than one reads like an ad",
            "keep at most one, or none",
            "!",
        )
    ]


def _sms(message: Message) -> list[Problem]:
    problems = []
    info = segment_info(message.body)
    if info.segments > MAX_SMS_SEGMENTS:
        problems.append(
            Problem(
                "sms-segments",
                "error",
                f"the text is {info.segments} segments ({info.units} {info.encoding} units) "
                f"with a long-named sample lead; at most {MAX_SMS_SEGMENTS} are allowed",
                f"shorten it to under {153 * MAX_SMS_SEGMENTS} plain characters",
            )
        )
    for char in non_gsm7_characters(message.body):
        problems.append(
            Problem(
                "sms-encoding",
                "warning",
                f"{_describe(char)} switches the text to UCS-2 (70 characters per segment)",
                f"replace it with {_GSM7_REPLACEMENTS.get(char, 'plain text')}",
                char,
            )
        )
    if message.is_first_touch and not _OPT_OUT.search(message.body):
        problems.append(
            Problem(
                "opt-out",
                "error",
                "a first text must say how to opt out",
                'end it with "Reply STOP to opt out"',
            )
        )
    return problems


def _email(message: Message) -> list[Problem]:
    problems = []
    if message.postal_address not in message.body:
        problems.append(
            Problem(
                "postal-address",
                "error",
                "the email lacks the officer's postal address (CAN-SPAM)",
                "add {{ email_footer }} or {{ officer.postal_address }} at the end",
            )
        )
    has_line = message.unsubscribe_line in message.body
    if not has_line and not (message.unsubscribe_url and message.unsubscribe_url in message.body):
        problems.append(
            Problem(
                "unsubscribe",
                "error",
                "the email has no unsubscribe line (CAN-SPAM)",
                "add {{ email_footer }} or {{ unsubscribe_line }} at the end",
            )
        )
    return problems


def _first_touch_links(message: Message) -> list[Problem]:
    text = _words(message)
    if message.unsubscribe_url:
        text = text.replace(message.unsubscribe_url, "")
    return [
        Problem(
            "first-touch-link",
            "warning",
            f"a first touch carries a link ({link}); links in a first message look like spam",
            "ask one easy question now and send links once the lead replies",
            link,
        )
        for link in dict.fromkeys(_LINK.findall(text))
    ]


def _describe(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')})"
