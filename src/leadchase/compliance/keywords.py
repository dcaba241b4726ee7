"""What an inbound text means: an opt-out of texts, a request to stop all contact, an opt-in,
a help request, a wrong number, a possible opt-out, a phone's auto-reply, or a real reply.

Carriers treat STOP and its synonyms as a revocation of texts, and the FCC (2024 order) adds
revocation "by any reasonable means", so plain-language revocations count too. A keyword inside
a longer sentence is not one ("can you stop by the house?"): only the keyword alone, give or take
punctuation, emoji and "please", or a phrase that clearly revokes (the patterns below).

Scope: a STOP keyword or "stop texting me" ends texts; "remove me", "do not call", "stop
contacting me", "leave me alone" end all contact (`STOPS` says which channels each kind ends).
A text that sounds like a refusal but does not clearly revoke ("not interested", "who gave you
my number?", a lone stop sign next to other words) is a possible opt-out: automation pauses and
the officer reads it and decides. It is never read as consent to carry on.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

# What each kind of text ends (STOPS) is part of the opt-out rule table, compliance/optouts.py.
from leadchase.compliance.optouts import STOPS, ReplyKind

__all__ = ["STOPS", "ReplyKind", "classify_reply"]

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
# Stop signs said with an emoji: the octagonal sign and "no entry".
_STOP_SIGNS = str.maketrans({"\U0001f6d1": " stop ", "\u26d4": " stop "})
# "S T O P", "s.t.o.p": letters spelled out one by one, joined when they spell a keyword.
_SPELLED = re.compile(r"(?<![a-z])(?:[a-z][\s.\-_*]+){2,}[a-z](?![a-z])")
_SPELLABLE = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout"})
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
_TEXTING = (
    r"(?:text(?:ing|s)?|txt(?:ing|s)?|texing|messag(?:e|es|ing)|msg(?:s|ing)?"
    r"|send(?:ing)? (?:me|these|this|those))"
)
_CONTACTING = (
    r"(?:contact(?:ing)?|e ?mail(?:ing|s)?|bother(?:ing)?|spam(?:ming)?|harass(?:ing)?"
    r"|hassl(?:e|ing)|hit(?:ting)? me up|reach(?:ing)? out)"
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
# Revocations of texts only (the text talks about texting, or echoes the STOP keyword).
_TEXT_REVOCATIONS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{_NOT_BEFORE}\b(?:stop|quit|cease|enough|no more|done with) {_TEXTING}\b",
        rf"\b(?:don't|dont|do not|never|pls don't) (?:ever )?(?:again )?(?:text|txt|message|msg"
        rf"|sms) {_ME}\b{_NOT_LATER}",
        # "please don't text", "do not text." : the verb ends the clause.
        r"\b(?:don't|dont|do not|never) (?:ever )?(?:again )?(?:text|txt|message|msg|sms)"
        r"(?: anymore| again| any more)?(?= \.|$)",
        r"\bno more (?:texts?|txts?|messages?|msgs?|texting|sms)\b",
        r"\b(?:unsubscribe|unsubscribed|stopall)\b",
        r"\bopt (?:me|us) out\b",
        r"\boptout(?= \.|$)",
        r"\boptout of(?: (?:your|ur|the|this|that|these|all|any))* (?:texts?|messages?|sms"
        r"|texting|text list)\b",
        r"\boptout of (?:this|these)\b",
        r"\b(?:i said|i told you|i asked you|i already said|how many times do i have to say)"
        r"(?: to)? (?:stop|unsubscribe|optout)\b(?! (?:by|in|over|at|and)\b)",
        r"\bnot interested stop\b",
    )
)
# Requests to stop all contact: calls and emails end with the texts.
_ALL_REVOCATIONS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{_NOT_BEFORE}\b(?:stop|quit|cease|enough|no more|done with) {_CONTACTING}\b",
        rf"\b(?:don't|dont|do not|never|pls don't) (?:ever )?(?:again )?(?:contact|e ?mail"
        rf"|bother|spam|reach out to) {_ME}\b{_NOT_LATER}",
        r"\b(?:don't|dont|do not|never) (?:ever )?(?:again )?(?:contact|e ?mail)"
        r"(?: anymore| again| any more)?(?= \.|$)",
        rf"\b{_REMOVAL_VERB} {_WHO} (?:off|from|out)(?: of)?{_LIST}",
        rf"\b{_REMOVAL_VERB} {_WHO}(?: off)?(?: (?:please|pls|now|asap|thanks|already))*(?= \.|$)",
        r"\b(?:leave me alone|lose my number|forget my number|fuck off|f off|piss off)\b",
        r"\bno more (?:emails?|contact|spam)\b",
        r"\boptout of(?: (?:your|ur|the|this|that|these|all|any|every))*(?: (?:call(?:ing)?|email"
        r"|contact|marketing|mailing|distribution|do not call|dnc))? (?:list|lists|database|system"
        r"|contacts|calls|emails|records|everything|marketing)\b",
        r"\b(?:revoke|revoking|withdraw|withdrawing|cancel|cancelling|canceling|pull)"
        r" (?:my |all |any )?(?:consent|permission|authorization)\b",
        r"\b(?:i|hereby) revoke\b",
        r"\b(?:i said|i told you|i asked you|i already said|how many times do i have to say)"
        r"(?: to)? remove me\b",
    )
)
# A short text with "stop" in it that no rule above explains ("Sure 🛑", "stop ok?") is a doubt,
# unless the stop is an ordinary verb: "stop by", "can't stop thinking", "don't stop".
_SHORT = 6
_STOP_WORD = re.compile(
    r"(?<!\bdon't )(?<!\bdont )(?<!\bcan't )(?<!\bcant )(?<!\bnot )(?<!\bnever )\bstop\b"
    r"(?! (?:by|in|over|at|thinking|the|my|paying|payment|payments)\b)"
)
# Refusals that may or may not revoke consent: the officer reads them and decides.
_DOUBTS = tuple(
    re.compile(pattern)
    for pattern in (
        r"\bnot interested\b",
        r"\bno thanks?\b",
        r"\bno thank you\b",
        r"\b(?:never|didn't|didnt|did not) (?:sign(?:ed)? up|ask(?:ed)?|request(?:ed)?"
        r"|fill(?:ed)? (?:out|in)|apply|applied|give|gave)\b",
        r"\b(?:how|where) did (?:you|u) get (?:my|this) (?:number|info|information|name)\b",
        r"\bwho gave (?:you|u) (?:my|this) (?:number|info|information)\b",
        r"\b(?:is this|this is|this looks like|total|such) (?:a )?(?:spam|scam)\b",
        r"\b(?:spam|scam)(?= \.|$)",
        r"\bgo away\b",
    )
)
# A call-only revocation, unless the same text asks for texts instead ("don't call, text me").
_CALL_REVOCATIONS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{_NOT_BEFORE}\b(?:stop|quit|cease|no more) call(?:ing|s)?\b",
        r"\b(?:don't|dont|do not|never) (?:ever )?(?:again )?call(?: anymore| again| any more)?"
        r"(?= \.|$)",
        r"\bdo not call (?:list|registry)\b",
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
    """What an inbound text asks for; `STOPS` says which channels each kind ends."""
    clauses = [words for part in _CLAUSE_BREAK.split(_normalise(text)) if (words := _words(part))]
    if not clauses:
        return "reply"  # an emoji or a blank text is still the lead answering
    words = [word for clause in clauses for word in clause]
    if _lone(words, OPT_OUT_KEYWORDS, _OPT_OUT_FILLERS):
        return "stop-all" if "remove" in words else "opt-out"
    if _lone(words, OPT_IN_KEYWORDS, _FILLERS):
        return "opt-in"
    if _lone(words, HELP_KEYWORDS, _FILLERS):
        return "help"
    flat = " . ".join(" ".join(clause) for clause in clauses)
    if any(pattern.search(flat) for pattern in _WRONG_NUMBER):
        return "wrong-number"
    if any(pattern.search(flat) for pattern in _ALL_REVOCATIONS):
        return "stop-all"
    calls_end = any(pattern.search(flat) for pattern in _CALL_REVOCATIONS)
    if calls_end and _PREFERS_TEXT.search(flat) is None:
        return "stop-all"
    if _revokes_texts(flat, clauses):
        return "opt-out"
    if _auto_reply_pattern().search(" ".join(words)):
        return "auto-reply"
    if calls_end or _doubtful(flat, words):
        return "possible-opt-out"
    return "reply"


def _normalise(text: str) -> str:
    # NFKC folds full-width and styled letters ("ＳＴＯＰ") into plain ones.
    lowered = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    lowered = _SPELLED.sub(_join_spelled, lowered.translate(_STOP_SIGNS))
    return re.sub(r"wrong\s*#", "wrong number", lowered)


def _join_spelled(match: re.Match[str]) -> str:
    joined = re.sub(r"[^a-z]", "", match.group())
    return joined if joined in _SPELLABLE else match.group()


def _words(fragment: str) -> list[str]:
    joined = " ".join(_TOKEN.findall(fragment))
    for pattern, replacement in _MERGES:
        joined = pattern.sub(replacement, joined)
    return joined.split()


def _lone(words: list[str], keywords: frozenset[str], fillers: frozenset[str]) -> bool:
    """The text is the keyword alone (repeated, or with filler words around it)."""
    core = [word for word in words if word not in fillers]
    return bool(core) and all(word in keywords for word in core)


def _revokes_texts(flat: str, clauses: list[list[str]]) -> bool:
    if any(pattern.search(flat) for pattern in _TEXT_REVOCATIONS):
        return True
    # "Not interested, STOP" / "STOP! who is this": a clause that is a keyword on its own.
    ends = (clauses[0], clauses[-1]) if len(clauses) > 1 else ()
    return any(_lone(clause, _CLAUSE_OPT_OUT_KEYWORDS, _OPT_OUT_FILLERS) for clause in ends)


def _doubtful(flat: str, words: list[str]) -> bool:
    """A refusal that does not clearly revoke, or a short text with STOP among other words."""
    if any(pattern.search(flat) for pattern in _DOUBTS):
        return True
    return len(words) <= _SHORT and bool(_STOP_WORD.search(flat))


@cache
def _auto_reply_pattern() -> re.Pattern[str]:
    """data/auto_replies.yaml's phrases as one pattern over whole words, built on first use."""
    import yaml

    text = resources.files("leadchase").joinpath("data/auto_replies.yaml").read_text("utf-8")
    phrases = {" ".join(_words(_normalise(str(p)))) for p in yaml.safe_load(text)["phrases"]}
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True) if p)
    return re.compile(rf"\b(?:{alternatives})\b")
