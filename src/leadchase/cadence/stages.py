"""The stages a lead moves through, as cadences/stages.yaml lists them: order, cadence, meaning.

The file is the list: `stage LEAD NAME` accepts its names, `stats` draws the funnel in its
order, and a stage change starts the cadence it names. Each entry is either just a cadence
(`new: internet-lead`, the older form) or a mapping:

    lost:
      cadence: lost
      meaning: not going ahead with you now
      funnel: false              # not a step forward: the funnel counts it apart
      reasons: [rate, competitor, credit, not ready, unreachable]
      quiet_after_days: 21       # no reply for this long: on to nurture

The shipped stages are always known (leads may be in them): one the file leaves out keeps its
shipped entry, placed after the stage it follows in the shipped order, and gets its shipped
cadence only when that cadence is in the folder.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from leadchase.errors import CadenceError, LeadchaseError

LOST_REASONS = ("rate", "competitor", "credit", "not ready", "unreachable")
STAGE_KEYS = ("cadence", "meaning", "funnel", "reasons", "quiet_after_days")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class StageInfo:
    """One stage: the cadence a lead starts on entering it, and what it means."""

    name: str
    cadence: str | None = None
    meaning: str = ""
    funnel: bool = True  # a step forward; nurture, lost and dead are counted apart
    reasons: tuple[str, ...] = ()  # a lead moved here needs one of these (why it was lost)
    quiet_after_days: int | None = None  # no reply for this many days: on to nurture


DEFAULT_STAGES: tuple[StageInfo, ...] = (
    StageInfo("new", "internet-lead", "just arrived; nobody has talked to them yet"),
    # Once a person has been reached, first-contact automation would sound robotic.
    StageInfo("contacted", "engaged", "you reached them once (a call picked up, a reply)"),
    StageInfo("engaged", "engaged", "a conversation is going", quiet_after_days=21),
    StageInfo("application", None, "they applied; the loan process takes over"),
    StageInfo("pre-approved", "pre-approved", "pre-approved and house hunting"),
    StageInfo("under-contract", "under-contract", "an accepted offer; the loan is in process"),
    StageInfo("closed", "closed", "funded: a past client to keep in touch with for years"),
    StageInfo("nurture", "nurture", "not now, maybe later", funnel=False),
    StageInfo("lost", "lost", "went elsewhere or stopped", funnel=False, reasons=LOST_REASONS),
    StageInfo("dead", None, "not a prospect (wrong number, asked to stop)", funnel=False),
)
STAGES: tuple[str, ...] = tuple(stage.name for stage in DEFAULT_STAGES)


def stage_word(text: str) -> str:
    """A stage or reason as typed: " Under Contract" and "under_contract" are under-contract."""
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def _reason_word(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().lower())


@dataclass(frozen=True)
class StageMap:
    """Every stage in order; which cadence each starts (None: nothing is scheduled)."""

    stages: tuple[StageInfo, ...] = DEFAULT_STAGES

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    @property
    def cadence_by_stage(self) -> Mapping[str, str | None]:
        return {stage.name: stage.cadence for stage in self.stages}

    def get(self, name: str) -> StageInfo:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise CadenceError(f"unknown stage '{name}' (use {', '.join(self.names)})")

    def cadence_for(self, stage: str) -> str | None:
        return self.get(stage).cadence

    def parse(self, text: str) -> str:
        """The stage a person typed, any case ("Pre Approved"); else an error with a guess."""
        wanted = stage_word(text)
        if wanted in self.names:
            return wanted
        raise LeadchaseError(f"unknown stage {text.strip()!r}; {_guess(wanted, self.names)}")

    def reason(self, stage: str, text: str | None) -> str:
        """The reason a lead moves to `stage`: required (one of its reasons) when it has any."""
        info = self.get(stage)
        if not info.reasons:
            return text.strip() if text else ""
        listed = ", ".join(info.reasons)
        if not text or not text.strip():
            raise LeadchaseError(f"{stage} needs a reason: add --reason with one of {listed}")
        wanted = _reason_word(text)
        for reason in info.reasons:
            if _reason_word(reason) == wanted:
                return reason
        raise LeadchaseError(
            f"unknown reason {text.strip()!r} for {stage}; {_guess(wanted, info.reasons)}"
        )

    def progression(self) -> tuple[str, ...]:
        """The funnel's steps, in order (stages that are not side roads)."""
        return tuple(stage.name for stage in self.stages if stage.funnel)


def _guess(wanted: str, choices: Collection[str]) -> str:
    near = difflib.get_close_matches(wanted, list(choices), n=1)
    hint = f"did you mean {near[0]}? " if near else ""
    return f"{hint}use one of {', '.join(choices)}"


DEFAULT_STAGE_MAP = StageMap()


def read_stage_entry(name: str, value: object) -> StageInfo:
    """One entry of stages.yaml (a cadence name, or a mapping) over the shipped entry."""
    if not _NAME.fullmatch(name):
        raise CadenceError(f"'{name}' is not a usable stage name (use a-z, 0-9 and -)")
    base = next((s for s in DEFAULT_STAGES if s.name == name), StageInfo(name))
    if not isinstance(value, dict):
        if isinstance(value, list):
            raise CadenceError(f"stage '{name}' must name a cadence or be a mapping")
        return replace(base, cadence=_cadence(value))
    unknown = [key for key in value if key not in STAGE_KEYS]
    if unknown:
        raise CadenceError(
            f"unknown key '{unknown[0]}' in stage '{name}' (use {', '.join(STAGE_KEYS)})"
        )
    fields: dict[str, object] = {}
    if "cadence" in value:
        fields["cadence"] = _cadence(value["cadence"])
    if "meaning" in value:
        fields["meaning"] = _single(value["meaning"], f"stage '{name}' meaning")
    if "funnel" in value:
        flag = _single(value["funnel"], f"stage '{name}' funnel").lower()
        if flag not in ("true", "false", "yes", "no"):
            raise CadenceError(f"stage '{name}' funnel must be true or false, not '{flag}'")
        fields["funnel"] = flag in ("true", "yes")
    if "reasons" in value:
        reasons = value["reasons"]
        items = reasons if isinstance(reasons, list) else [reasons]
        fields["reasons"] = tuple(_single(item, f"stage '{name}' reasons") for item in items)
    if "quiet_after_days" in value:
        days = _single(value["quiet_after_days"], f"stage '{name}' quiet_after_days")
        if days.lower() in ("", "none"):
            fields["quiet_after_days"] = None
        elif not days.isdecimal() or not 1 <= int(days) <= 730:
            raise CadenceError(
                f"stage '{name}' quiet_after_days '{days}' is not a number of days (1 to 730)"
            )
        else:
            fields["quiet_after_days"] = int(days)
    return replace(base, **fields)  # type: ignore[arg-type]


def _single(value: object, what: str) -> str:
    if isinstance(value, list | dict):
        raise CadenceError(f"{what} must be a single value, not a list or mapping")
    return str(value or "").strip()


def _cadence(value: object) -> str | None:
    text = _single(value, "a stage's cadence")
    return None if text.lower() in ("", "none") else text


def merged_order(listed: list[StageInfo]) -> tuple[StageInfo, ...]:
    """The file's stages in its order, each shipped stage it leaves out after the stage it
    follows in the shipped order (or first)."""
    order = list(listed)
    for position, shipped in enumerate(DEFAULT_STAGES):
        if any(stage.name == shipped.name for stage in order):
            continue
        before = [s.name for s in DEFAULT_STAGES[:position]]
        at = max((i + 1 for i, stage in enumerate(order) if stage.name in before), default=0)
        order.insert(at, shipped)
    return tuple(order)
