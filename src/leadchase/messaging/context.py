"""What a template can say about a lead, its loan officer and the step, with human fallbacks.

Vendor lead files are full of holes. Templates write `{{ lead.first_name }}` and get "there"
when the name is missing, so a message never reads "Hi ," or shows a raw merge field. The
fallbacks live here, in one table, so every template and the lint agree on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from leadchase.config import SIGNED_WITH, Officer

OFFER_KINDS = ("equity", "rate-quote", "purchase", "refinance", "generic")


@dataclass(frozen=True)
class LeadDetails:
    """What the lead told us; empty strings and zero amounts mean "not given"."""

    first_name: str = ""
    last_name: str = ""
    city: str = ""
    state: str = ""
    source: str = ""
    offer: str = ""
    offer_kind: str = ""
    loan_purpose: str = ""
    loan_amount: int = 0
    property_value: int = 0
    note_rate: str = ""  # "6.125%"
    closing_date: str = ""  # "March 5, 2026"
    closing_year: str = ""
    birthday: str = ""  # "March 5" (never the year: nobody is told their age)
    co_borrower_name: str = ""
    co_borrower_first_name: str = ""
    loan_term_years: int = 30
    address: str = ""
    # What has passed between us, from the store: a message never claims a talk that did not
    # happen ("since we last talked"). Days count to the touch's due time; None: never.
    ever_talked: bool = False  # a call got through or the lead replied
    ever_replied: bool = False
    days_since_reply: int | None = None
    days_since_arrival: int | None = None

    @property
    def known(self) -> frozenset[str]:
        """The lead's details that are given: a message never asks for one of these."""
        return frozenset(
            name
            for name in ("address", "loan_amount", "property_value", "loan_purpose", "city")
            if getattr(self, name)
        )


@dataclass(frozen=True)
class StepDetails:
    """Where this message sits in the lead's cadence."""

    attempt: int = 1
    day: int = 1
    channel: str = "text"
    is_first_touch: bool = False


@dataclass(frozen=True)
class RateDetails:
    """A rate-drop alert's numbers (`rate.*`); empty in every other message, so a template
    branches on them: {% if rate.monthly_saving %}."""

    product: str = ""  # "30-year"
    today: str = ""  # today's rate for the lead's term, "6.125%"
    monthly_saving: int = 0  # whole dollars a month, estimated; 0: not known


@dataclass(frozen=True)
class MessageContext:
    """Everything a template may name: the lead, the officer, the step, the rate."""

    lead: LeadDetails
    officer: Officer  # the [officer] settings, as they are
    step: StepDetails = field(default_factory=StepDetails)
    unsubscribe_url: str = ""
    unsubscribe_line: str = ""
    rate: RateDetails = field(default_factory=RateDetails)

    @property
    def offer_kind(self) -> str:
        """The lead's offer framing, classified from its offer, source and loan purpose when
        not given."""
        if self.lead.offer_kind in OFFER_KINDS:
            return self.lead.offer_kind
        return classify_offer(self.lead.source, self.lead.offer, self.lead.loan_purpose)


# What a template sees when the lead left a field empty. A missing last name renders as nothing:
# the renderer tidies the space around it, so "Hi {{ first }} {{ last }}," reads "Hi Ana,".
LEAD_FALLBACKS: dict[str, str] = {
    "first_name": "there",
    "last_name": "",
    "city": "your area",
    "state": "your state",
    "source": "our website",
    "offer": "mortgage",
    "loan_purpose": "home loan",
    "loan_amount": "the amount you have in mind",
    "property_value": "your home's value",
    "note_rate": "your current rate",
    "closing_date": "your closing",
    "closing_year": "",
    "birthday": "",
    "co_borrower_name": "",
    "co_borrower_first_name": "",
    "address": "your home",
}
# Details that are facts about the conversation, not text: templates test them as they are.
_AS_IS = ("ever_talked", "ever_replied", "days_since_reply", "days_since_arrival")

# The longest a lead's merge field may be in a message: a vendor's 2,000-character "first name"
# once made a 15-segment text. Names and places get 40 characters, anything else 60; a longer
# value is cut, at a space when there is one in its second half.
FIELD_LIMITS: dict[str, int] = {"first_name": 40, "last_name": 40, "city": 40, "state": 40}
OTHER_FIELD_LIMIT = 60


def capped(name: str, text: str) -> str:
    """`text` cut to the limit of merge field `name`."""
    limit = FIELD_LIMITS.get(name, OTHER_FIELD_LIMIT)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip()


# What the lead asked for, in words a template can drop into a sentence:
# "Are you still thinking about your {{ lead.offer_topic }}?"
OFFER_TOPICS: dict[str, str] = {
    "equity": "home equity estimate",
    "rate-quote": "rate quote",
    "purchase": "home purchase",
    "refinance": "refinance",
    "generic": "home loan",
}

# Checked in order: the more specific loan type wins over a generic "rates" mention.
_OFFER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("equity", re.compile(r"\bequity\b|\bheloc\b|\bhome\s*value\b|\bcash[\s-]*out\b")),
    ("refinance", re.compile(r"\brefis?\b|\brefinanc")),
    ("purchase", re.compile(r"\bhome\s*buy\w*|\bpurchas\w*|\bbuy(ing|er|ers)?\b|\bpre-?approv")),
    ("rate-quote", re.compile(r"\brate\s*quotes?\b|\brates?\b")),
)


def classify_offer(source: str, offer: str, loan_purpose: str = "") -> str:
    """The offer kind of a lead from the free text vendors put in its source and offer columns.

    The offer text is the stronger signal, so it is checked before the source. A rate quote or
    an unclassified offer takes the loan purpose the lead gave ("Refinance"), when there is one.
    """
    kind = _classified(offer, source)
    if kind in ("rate-quote", "generic"):
        purpose = _classified(loan_purpose)
        if purpose not in ("rate-quote", "generic"):
            return purpose
    return kind


def _classified(*texts: str) -> str:
    for text in texts:
        lowered = text.casefold()
        for kind, pattern in _OFFER_PATTERNS:
            if pattern.search(lowered):
                return kind
    return "generic"


# The thing on the vendor's form the lead used, so a message can name it: "the buyer's guide".
_GUIDE = re.compile(r"\bguide\b|\be-?book\b|\bchecklist\b|\bhandbook\b")
_CALCULATOR = re.compile(r"\bcalculator\b|\bestimator\b")
_GUIDES = {"purchase": "home buyer's guide", "refinance": "refinance guide"}
_CALCULATORS = {
    "equity": "home equity calculator",
    "purchase": "affordability calculator",
    "refinance": "refinance calculator",
}


def offer_name(source: str, offer: str, offer_kind: str) -> str:
    """What the lead used, in words for a message ("home buyer's guide"); "" when the offer
    names no guide or calculator (a quote or a request is named by the offer topic)."""
    text = f"{offer} {source}".casefold()
    if _GUIDE.search(text):
        return _GUIDES.get(offer_kind, "guide")
    if _CALCULATOR.search(text):
        return _CALCULATORS.get(offer_kind, "mortgage calculator")
    return ""


def dollars(amount: int) -> str:
    return f"${amount:,}"


def _by_name(details: LeadDetails | StepDetails | RateDetails | Officer) -> dict[str, Any]:
    """The fields of flat details (scalars only) by name: what asdict gives, without its deep
    copies, which cost more than the rest of a message's variables (rendered once a text)."""
    return {item.name: getattr(details, item.name) for item in fields(details)}


def template_variables(ctx: MessageContext, offer_kind: str) -> dict[str, Any]:
    """The names a template can use, with fallbacks applied (documented in docs/templates.md)."""
    given = {
        name: capped(name, value.strip()) if isinstance(value, str) else value
        for name, value in _by_name(ctx.lead).items()
    }
    lead: dict[str, Any] = {
        name: (str(value) if value else "") or LEAD_FALLBACKS.get(name, "")
        for name, value in given.items()
        if name not in _AS_IS
    }
    lead |= {name: given[name] for name in _AS_IS}
    lead["loan_amount"] = (
        dollars(ctx.lead.loan_amount) if ctx.lead.loan_amount else LEAD_FALLBACKS["loan_amount"]
    )
    lead["property_value"] = (
        dollars(ctx.lead.property_value)
        if ctx.lead.property_value
        else LEAD_FALLBACKS["property_value"]
    )
    lead["offer_kind"] = offer_kind
    lead["offer_topic"] = OFFER_TOPICS.get(offer_kind, OFFER_TOPICS["generic"])
    lead["offer_name"] = offer_name(ctx.lead.source, ctx.lead.offer, offer_kind)
    lead["full_name"] = (
        " ".join(part for part in (given["first_name"], given["last_name"]) if part) or "there"
    )
    # Templates that want to word things differently when a field is missing test lead.given.x.
    lead["given"] = given
    officer = template_officer(ctx.officer)
    unsubscribe_line = ctx.unsubscribe_line or default_unsubscribe_line(ctx.unsubscribe_url)
    saving = ctx.rate.monthly_saving
    return {
        "lead": lead,
        "officer": officer,
        "step": _by_name(ctx.step),
        "rate": _by_name(ctx.rate) | {"monthly_saving": dollars(saving) if saving > 0 else ""},
        "unsubscribe_url": ctx.unsubscribe_url,
        "unsubscribe_line": unsubscribe_line,
        "email_footer": email_footer(ctx.officer, unsubscribe_line),
    }


# A detail of yours still empty in [officer] shows as what to fill in: a text you send by hand
# then reads "it's [your name] with [your company]", never "it's with". (`send` sends nothing
# while one is empty, so these never reach a lead on their own.)
OFFICER_PLACEHOLDERS = {key: f"[your {key.replace('_', ' ')}]" for key in SIGNED_WITH}


def _shown(officer: Officer) -> Officer:
    return replace(officer, **{key: OFFICER_PLACEHOLDERS[key] for key in officer.missing})


def template_officer(officer: Officer) -> dict[str, str]:
    """`officer.*` as templates see it: the phone as people write it, the Equal Housing line."""
    shown = _shown(officer)
    return _by_name(shown) | {
        "first_name": officer.first_name or OFFICER_PLACEHOLDERS["name"],
        "phone": shown.phone_for_people,
        "equal_housing": shown.equal_housing_line,
    }


def default_unsubscribe_line(unsubscribe_url: str) -> str:
    if unsubscribe_url:
        return f"Rather not get these emails? Unsubscribe here: {unsubscribe_url}"
    return 'Rather not get these emails? Reply "unsubscribe" and I\'ll stop.'


def email_footer(officer: Officer, unsubscribe_line: str) -> str:
    """The CAN-SPAM footer: who is writing (and their signature line when set), their postal
    address (and the Equal Housing line when set), how to stop the emails."""
    officer = _shown(officer)
    name_line = f"{officer.name}, {officer.company}" if officer.company else officer.name
    if officer.nmls:
        name_line += f" (NMLS {officer.nmls})"
    lines = (
        name_line,
        officer.signature.strip(),
        officer.phone_for_people,
        officer.postal_address,
        officer.equal_housing_line,
    )
    signature = [line for line in lines if line]
    return "\n".join(signature) + "\n\n" + unsubscribe_line


TEMPLATE_NAMES: dict[str, frozenset[str]] = {
    "lead": frozenset(
        [*LeadDetails.__dataclass_fields__, "full_name", "offer_topic", "offer_name", "given"]
    ),
    "officer": frozenset([*Officer.__dataclass_fields__, "first_name"]),
    "step": frozenset(StepDetails.__dataclass_fields__),
    "rate": frozenset(RateDetails.__dataclass_fields__),
}
TOP_LEVEL_NAMES = frozenset(
    [*TEMPLATE_NAMES, "unsubscribe_url", "unsubscribe_line", "email_footer"]
)
