"""Reading inbound texts: real-world opt-outs must be caught, look-alike sentences must not."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadchase.compliance.keywords import STOPS, ReplyKind, classify_reply

OPT_OUTS = [
    "STOP",
    "stop",
    "Stop.",
    " STOP!! ",
    "stop 🛑",
    "Stoppp",
    "STOP STOP STOP",
    "STOP please",
    "please stop",
    "Please stop!!",
    "stop it",
    "ok stop now",
    "STOPALL",
    "Stop all",
    "UNSUBSCRIBE",
    "Unsubscribe me",
    "Cancel",
    "END",
    "Quit",
    "REVOKE",
    "OPTOUT",
    "opt out",
    "Opt-Out",
    "ＳＴＯＰ",
    "stop texting me",
    "Please stop texting me",
    "STOP TEXTING ME!!!",
    "quit messaging me",
    "stop sending me these",
    "don't text me",
    "Dont text me again",
    "please don't message me anymore",
    "not interested, stop",
    "Not interested. STOP",
    "not interested stop",
    "Who is this? Stop",
    "STOP! Who gave you my number?",
    "unsubscribe me",
    "How do I unsubscribe from these?",
    "no more texts",
    "No more messages please",
    "I want to opt out",
    "I'd like to opt-out of these texts",
    "opt me out",
    "I said STOP",
    "I told you to stop",
    "please don't text",
    "Please don't text.",
    "S T O P",
    "s.t.o.p",
    "🛑",
    "⛔",
    "no more texts!!",
    "NO MORE TEXTS",
    "Stop. Texting. Me.",
    "I'd like to opt-out of these texts",
]

# Requests to stop all contact: calls and emails end with the texts.
STOP_ALL = [
    "remove me",
    "Remove me from your list",
    "please remove me from your list thanks",
    "take me off your list",
    "Take me off this list please.",
    "Delete my number",
    "remove my number from your system",
    "Do not contact me",
    "leave me alone",
    "Just leave me alone please",
    "lose my number",
    "I revoke my consent",
    "stop calling me",
    "do not call",
    "Do not call me",
    "please put me on your do not call list",
    "stop contacting me",
    "I already refinanced. Please remove me.",
    "stop emailing me",
    "no more calls",
    "don't call",
]

# Refusals that do not clearly revoke: automation pauses and the officer decides.
POSSIBLE_OPT_OUTS = [
    "Not interested",
    "No thanks",
    "no thank you",
    "Don't call me, text me instead",
    "who gave you my number?",
    "How did you get my number",
    "I never signed up for this",
    "Sure 🛑",
    "this is spam",
    "go away",
]

NOT_OPT_OUTS = [
    "stop by tomorrow?",
    "can you stop by the house",
    "I can't stop thinking about that rate",
    "what's the cancel policy on the rate lock?",
    "END of the month works",
    "Sure, what info do you need?",
    "Don't stop, I'm interested",
    "Don't stop texting me, I'm interested",
    "Stop by my office at 3",
    "I told you to stop by friday",
    "I had to stop the application for now",
    "Can we end the call early?",
    "Quit my job last month, does that matter?",
    "I want to cancel my old refinance application with the other bank",
    "Stopped by the bank today",
    "What's the end date on this offer?",
    "Is there a penalty if I end the loan early?",
    "Don't call me before 5, I'm at work",
    "don't text me before noon please",
    "Can you remove my ex from the loan?",
    "Can I opt out of escrow?",
    "I had to stop all payments on the old card",
    "Yes, what's the rate?",
    "Help me understand the fees",
    "Info on FHA?",
    "more info",
    "ok",
    "👍",
    "",
]


@pytest.mark.parametrize("text", OPT_OUTS)
def test_opt_outs_are_caught(text: str) -> None:
    assert classify_reply(text) == "opt-out"


@pytest.mark.parametrize("text", STOP_ALL)
def test_requests_to_stop_all_contact_are_caught(text: str) -> None:
    assert classify_reply(text) == "stop-all"


@pytest.mark.parametrize("text", POSSIBLE_OPT_OUTS)
def test_refusals_that_may_revoke_are_possible_opt_outs(text: str) -> None:
    assert classify_reply(text) == "possible-opt-out"


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_keywords_inside_ordinary_sentences_are_replies(text: str) -> None:
    assert classify_reply(text) == "reply"


def test_each_stopping_kind_names_the_channels_it_ends() -> None:
    assert STOPS["opt-out"] == {"text"}
    assert STOPS["stop-all"] == {"call", "text", "email"}
    assert STOPS["wrong-number"] == {"call", "text"}
    assert "possible-opt-out" not in STOPS  # a doubt pauses; it ends nothing by itself


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("START", "opt-in"),
        ("Unstop", "opt-in"),
        ("YES", "opt-in"),
        ("yes please!", "opt-in"),
        ("HELP", "help"),
        ("info?", "help"),
        ("Help!", "help"),
        ("Wrong number", "wrong-number"),
        ("wrong #", "wrong-number"),
        ("Sorry wrong number, stop texting", "wrong-number"),
        ("You have the wrong person", "wrong-number"),
        ("This isn't Ann", "wrong-number"),
        ("Sorry, this is not Maria Lopez.", "wrong-number"),
        ("There's no Ann here", "wrong-number"),
        ("No one by that name here", "wrong-number"),
        ("I just got this number last month", "wrong-number"),
        ("This isn't a good time, call me tomorrow", "reply"),
        ("this isn't what I asked for", "reply"),
        (
            "I'm driving with Do Not Disturb While Driving turned on. "
            "I'll see your message when I get where I'm going.",
            "auto-reply",
        ),
        ("Auto-Reply: I am out of the office until Monday.", "auto-reply"),
        ("This is an automated message. Please do not reply.", "auto-reply"),
        ("I'm busy right now, I'll get back to you.", "auto-reply"),
        ("Free Msg: Message blocked. The recipient cannot receive your text.", "auto-reply"),
        ("Message not delivered", "auto-reply"),
        ("I'll get back to you after I talk to my wife", "reply"),
        ("Sure, what info do you need?", "reply"),
        ("Yes, my credit is around 700", "reply"),
    ],
)
def test_other_kinds(text: str, kind: ReplyKind) -> None:
    assert classify_reply(text) == kind


def test_the_table_is_large_enough() -> None:
    assert len(OPT_OUTS) + len(STOP_ALL) + len(NOT_OPT_OUTS) >= 60


@given(st.text())
def test_never_raises(text: str) -> None:
    assert classify_reply(text) in (
        "opt-out",
        "stop-all",
        "possible-opt-out",
        "opt-in",
        "help",
        "wrong-number",
        "auto-reply",
        "reply",
    )


KEYWORDS = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "opt out",
    "opt-out",
]
SURROUNDINGS = st.text(alphabet=string.punctuation + " \t\n\r" + "🛑😡🙏✋❌", max_size=8)


@given(
    st.sampled_from(KEYWORDS),
    st.lists(st.booleans(), min_size=12, max_size=12),
    SURROUNDINGS,
    SURROUNDINGS,
)
def test_a_keyword_with_any_punctuation_around_it_is_an_opt_out(
    keyword: str, upper: list[bool], before: str, after: str
) -> None:
    cased = "".join(c.upper() if up else c.lower() for c, up in zip(keyword, upper, strict=False))
    assert classify_reply(before + cased + after) == "opt-out"
