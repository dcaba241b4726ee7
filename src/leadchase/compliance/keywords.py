"""What an inbound text means: an opt-out, an opt-in, a help request, a wrong number, a phone's
auto-reply, or a real reply for the officer to answer.

Carriers treat STOP and its synonyms as a revocation, and the FCC (2024 order) adds revocation
"by any reasonable means", so plain-language revocations count too. A keyword inside a longer
sentence is not one ("can you stop by the house?"): only the keyword alone, give or take
punctuation, emoji and "please", or a phrase that clearly revokes (the patterns below).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Literal

ReplyKind = Literal["opt-out", "opt-in", "help", "wrong-number", "auto-reply", "reply"]

OPT_OUT_KEYWORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "remove"}
)
# YES re-subscribes only a number that opted out; for anyone else it is an ordinary reply.
OPT_IN_KEYWORDS = frozenset({"start", "unstop", "yes"})
HELP_KEYWORDS = frozenset({"help", "info"})
# Keywords that keep their meaning as one clause of a longer text ("Not interested. STOP").
# CANCEL, END and QUIT do not: "Cancel. I'll call you later" is about an appointment.
_CLAUSE_OPT_OUT_KEYWORDS = frozenset({"stop", "stopall", "unsubscribe", "optout", "revoke"})

# Words that leave a lone keyword's meaning alone: "STOP please", "ok stop now".
_FILLERS = frozenset({"please", "pls", "plz", "plse", "now", "thanks", "thx", "ty", "ok", "okay"})
# ... and those that only an opt-out keyword carries: "stop it", "no, stop", "unsubscribe me".
_OPT_OUT_FILLERS = _FILLERS | {
    "just", "me", "all", "it", "this", "that", "already", "no", "asap", "immediately", "again",
    "right", "seriously", "texts", "texting",
}  # fmt: skip

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_CLAUSE_BREAK = re.compile(r"[.,!?;:()\[\]\n\r]+|\s[-–—]+\s")
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "´": "'"})
_MERGES = (
    (re.compile(r"\bs+t+o+p+\b"), "stop"),  # "Stoppp"
    (re.compile(r"\bopt(?:s|ing|ed)? out\b"), "optout"),  # "opt out", "opt-out", "opting out"
    (re.compile(r"\bthank you\b"), "thanks"),
)

# Patterns run on the "flat" text: lower case, words separated by one space, " . " between
# clauses. Each one must clearly revoke; the ambiguous sentences in tests/test_keywords.py
# are what they must not match.
_NOT_BEFORE = r"(?<!\bdon't )(?<!\bdont )(?<!\bnot )(?<!\bnever )"
_ME = r"(?:me|us|this number|my number|my phone|my cell|here)"
# "Don't text me before noon" asks for a better time, not for silence.
_NOT_LATER = (
    r"(?! (?:before|after|until|till|til|during|between|while|when|today|tonight|tomorrow"
    r"|right now|now|yet|at work|so (?:early|late)|this (?:morning|afternoon|evening|week)))"
)
_CONTACTING = (
    r"(?:text(?:ing|s)?|txt(?:ing|s)?|texing|messag(?:e|es|ing)|msg(?:s|ing)?|contact(?:ing)?"
    r"|e ?mail(?:ing|s)?|bother(?:ing)?|spam(?:ming)?|harass(?:ing)?|hassl(?:e|ing)"
    r"|send(?:ing)? (?:me|these|this|those)|hit(?:ting)? me up|reach(?:ing)? out)"
)
_WHO = (
    r"(?:me|us|this number|my (?:number|name|info|information|details|email|phone|cell"
    r"|contact info))"
)
_LIST = (
    r"(?: (?:your|ur|the|this|that|these|all|any|ya|every|my|of))*"
    r"(?: (?:text(?:ing)?|txt|sms|mailing|call(?:ing)?|email|contact|marketing|distribution"
    r"|lead|phone|do not call|dnc))?"
    r" (?:list|lists|texts|messages|database|system|contacts|calls|emails|records|everything)\b"
)
_REMOVAL_VERB = r"(?:remove|delete|take|drop|erase|scratch)"
_REVOCATIONS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{_NOT_BEFORE}\b(?:stop|quit|cease|enough|no more|done with) {_CONTACTING}\b",
        rf"\b(?:don't|dont|do not|never|pls don't) (?:ever )?(?:again )?(?:text|txt|message|msg"
        rf"|contact|e ?mail|bother|spam|sms) {_ME}\b{_NOT_LATER}",
        rf"\b{_REMOVAL_VERB} {_WHO} (?:off|from|out)(?: of)?{_LIST}",
        rf"\b{_REMOVAL_VERB} {_WHO}(?: off)?(?: (?:please|pls|now|asap|thanks|already))*(?= \.|$)",
        r"\b(?:leave me alone|lose my number|forget my number|fuck off|f off|piss off"
        r"|not interested stop|unsubscribe|unsubscribed|stopall)\b",
        r"\bno more (?:texts?|txts?|messages?|msgs?|texting|calls?|emails?|contact|spam)\b",
        r"\bopt (?:me|us) out\b",
        r"\boptout(?= \.|$)",
        rf"\boptout of{_LIST}",
        r"\boptout of (?:this|these|texts?|messages?|sms|emails?|texting|marketing)\b",
        r"\b(?:revoke|revoking|withdraw|withdrawing|cancel|cancelling|canceling|pull)"
        r" (?:my |all |any )?(?:consent|permission|authorization)\b",
        r"\b(?:i|hereby) revoke\b",
        r"\b(?:i said|i told you|i asked you|i already said|how many times do i have to say)"
        r"(?: to)? (?:stop|unsubscribe|remove me|optout)\b(?! (?:by|in|over|at|and)\b)",
    )
)
# A call-only revocation, unless the same text asks for texts instead ("don't call, text me").
_CALL_REVOCATIONS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{_NOT_BEFORE}\b(?:stop|quit|cease|no more) call(?:ing|s)?\b",
        rf"\b(?:don't|dont|do not|never) (?:ever )?call {_ME}\b{_NOT_LATER}",
    )
)
_PREFERS_TEXT = re.compile(
    r"(?<!\bdon't )(?<!\bdont )(?<!\bnot )(?<!\bstop )\b(?:text|txt|message|msg) (?:me|only)\b"
    r"|\b(?:prefer|rather|just|only) (?:a )?(?:text|texts|texting|txt)\b"
    r"|\btexting (?:is|works)\b"
)

# Common words that "this isn't ___" takes when it is not a person's name.
_NOT_A_NAME = (
    r"(?:a|an|the|what|how|why|who|when|where|true|right|correct|good|bad|great|fair|funny|ok"
    r"|okay|working|for|about|so|too|really|very|helpful|clear|legit|real|spam|scam|fine"
    r"|possible|necessary|needed|relevant|going|gonna|happening|interesting|accurate|enough|my"
    r"|your|our|their|his|her|it|that|this|urgent|important|worth|making|exactly|quite|just"
    r"|even|yet|over|done|finished|free|cheap|affordable|convenient|available|sure|likely"
    r"|something|anything|allowed|new|fun|easy|hard|ideal|cool|nice|much|all|only|always|as"
    r"|at|in|on|from|to|with|by|like|supposed|meant|personal|rush|need|problem|way|point"
    r"|hurry|pressure|worries|worry|biggie|big|deal|fixed|final|approved|legal|illegal"
    r"|professional|appropriate|acceptable|ready|yours|any|no|not)"
)
_WRONG_NUMBER = tuple(
    re.compile(pattern)
    for pattern in (
        r"\bwrong (?:number|num|person|persons|guy|girl|lady|man|dude|phone|contact|house)\b",
        r"\b(?:you have|you've got|you got|u have|u got|you've|youve) (?:the |a )?wrong\b",
        r"\bnot the (?:right|correct) (?:number|person)\b",
        rf"\bthis (?:number |phone )?(?:isn't|isnt|is not|ain't|aint) (?!{_NOT_A_NAME}\b)"
        r"[a-z]+(?: [a-z]+)?(?= \.|$)",
        r"\b(?:no one|noone|nobody|no body) (?:here |lives here )?(?:by|named|with|called)"
        r" (?:that|this|the) name\b",
        rf"\bthere(?:'s| is|s) no (?!{_NOT_A_NAME}\b)[a-z]+(?: [a-z]+)? (?:here|at this number)\b",
        r"\b(?:don't|dont|do not) know any(?:one|body)? (?:named|called|by the name)\b",
        r"\bnot my (?:number|name)\b",
        r"\b(?:just|recently) got this (?:number|phone)\b",
    )
)


def classify_reply(text: str) -> ReplyKind:
    """What an inbound text asks for. Wrong number is also an opt-out for texts and calls."""
    clauses = [words for part in _CLAUSE_BREAK.split(_normalise(text)) if (words := _words(part))]
    if not clauses:
        return "reply"  # an emoji or a blank text is still the lead answering
    words = [word for clause in clauses for word in clause]
    if _lone(words, OPT_OUT_KEYWORDS, _OPT_OUT_FILLERS):
        return "opt-out"
    if _lone(words, OPT_IN_KEYWORDS, _FILLERS):
        return "opt-in"
    if _lone(words, HELP_KEYWORDS, _FILLERS):
        return "help"
    flat = " . ".join(" ".join(clause) for clause in clauses)
    if any(pattern.search(flat) for pattern in _WRONG_NUMBER):
        return "wrong-number"
    if _revokes(flat, clauses):
        return "opt-out"
    if _auto_reply_pattern().search(" ".join(words)):
        return "auto-reply"
    return "reply"


def _normalise(text: str) -> str:
    # NFKC folds full-width and styled letters ("ＳＴＯＰ") into plain ones.
    lowered = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    return re.sub(r"wrong\s*#", "wrong number", lowered)


def _words(fragment: str) -> list[str]:
    joined = " ".join(_TOKEN.findall(fragment))
    for pattern, replacement in _MERGES:
        joined = pattern.sub(replacement, joined)
    return joined.split()


def _lone(words: list[str], keywords: frozenset[str], fillers: frozenset[str]) -> bool:
    """The text is the keyword alone (repeated, or with filler words around it)."""
    core = [word for word in words if word not in fillers]
    return bool(core) and all(word in keywords for word in core)


def _revokes(flat: str, clauses: list[list[str]]) -> bool:
    if any(pattern.search(flat) for pattern in _REVOCATIONS):
        return True
    if any(pattern.search(flat) for pattern in _CALL_REVOCATIONS):
        return _PREFERS_TEXT.search(flat) is None
    # "Not interested, STOP" / "STOP! who is this": a clause that is a keyword on its own.
    ends = (clauses[0], clauses[-1]) if len(clauses) > 1 else ()
    return any(_lone(clause, _CLAUSE_OPT_OUT_KEYWORDS, _OPT_OUT_FILLERS) for clause in ends)


@cache
def _auto_reply_pattern() -> re.Pattern[str]:
    """data/auto_replies.yaml's phrases as one pattern over whole words, built on first use."""
    import yaml

    text = resources.files("leadchase").joinpath("data/auto_replies.yaml").read_text("utf-8")
    phrases = {" ".join(_words(_normalise(str(p)))) for p in yaml.safe_load(text)["phrases"]}
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True) if p)
    return re.compile(rf"\b(?:{alternatives})\b")
