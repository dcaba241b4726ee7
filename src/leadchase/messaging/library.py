"""A folder of message templates: finding them, reading the variant format, compiling with Jinja2.

One file per template: `<cadence>/<purpose>.sms.j2` or `<cadence>/<purpose>.email.j2`, named
"<cadence>/<purpose>". Inside, `=== variant ===` lines separate the wordings and
`=== variant: equity, purchase ===` frames a wording for some offer kinds; email variants start
with a `Subject:` line. docs/templates.md is the full description.

jinja2 is imported only when a template is compiled, so `import leadchase.messaging` stays cheap.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from leadchase.contact.channels import MessageChannel
from leadchase.errors import LeadchaseError
from leadchase.messaging.context import OFFER_KINDS

if TYPE_CHECKING:
    import jinja2

Part = Literal["subject", "body"]

# File naming keeps "sms"; read here, once, as the channel word "text".
SUFFIXES: dict[str, MessageChannel] = {".sms.j2": "text", ".email.j2": "email"}
_MARKER = re.compile(r"^===\s*variant\s*(?::\s*(?P<kinds>.*?))?\s*===\s*$", re.IGNORECASE)
_SUBJECT = re.compile(r"^Subject:\s*(?P<subject>.*\S)\s*$")
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


class TemplateError(LeadchaseError):
    """A template that cannot be found, read, compiled or rendered."""

    def __init__(
        self, template: str, line: int | None, problem: str, fix: str, *, rule: str = "format"
    ) -> None:
        where = f"template {template}" + (f" line {line}" if line else "")
        super().__init__(f"{where}: {problem}; {fix}")
        self.template, self.line, self.problem, self.fix = template, line, problem, fix
        # The lint rule this problem belongs to (see lint.py), so the lint can report it as is.
        self.rule = rule


@dataclass(frozen=True)
class Variant:
    """One wording of a template. `number` counts from 1 in file order and names it in reports."""

    number: int
    offer_kinds: tuple[str, ...]
    line: int
    subject: str | None
    subject_line: int
    body: str
    body_line: int

    def source(self, part: Part) -> str:
        """The Jinja source, padded with newlines so Jinja's line numbers are the file's."""
        if part == "subject":
            return "\n" * (self.subject_line - 1) + (self.subject or "")
        return "\n" * (self.body_line - 1) + self.body


def first_touch_template(name: str) -> bool:
    """First-touch templates ("internet-lead/first-text") get the first-message rules."""
    return name.rsplit("/", 1)[-1].startswith("first")


@dataclass(frozen=True)
class MessageTemplate:
    """A template file: its channel, its lines and the wordings (variants) it holds."""

    name: str
    channel: MessageChannel
    path: Path
    lines: tuple[str, ...]
    variants: tuple[Variant, ...]

    @property
    def is_first_touch(self) -> bool:
        return first_touch_template(self.name)

    def variants_for(self, offer_kind: str) -> tuple[Variant, ...]:
        """The wordings framed for this offer kind, or the generic ones when it has none."""
        framed = tuple(v for v in self.variants if offer_kind in v.offer_kinds)
        return framed or tuple(v for v in self.variants if "generic" in v.offer_kinds)

    def wording_groups(self, offer_kind: str) -> tuple[tuple[Variant, ...], ...]:
        """The wordings a lead of this offer kind may get, best first: its framed ones, then the
        generic ones (so a lead who had every framed wording still gets a fresh one)."""
        framed = tuple(v for v in self.variants if offer_kind in v.offer_kinds)
        generic = tuple(v for v in self.variants if "generic" in v.offer_kinds)
        return (framed, generic) if framed and framed != generic else (generic,)

    def distinct_wordings(self) -> int:
        """How many times a lead of any offer kind can get this template without a repeat."""
        return min(
            len({v.number for group in self.wording_groups(kind) for v in group})
            for kind in OFFER_KINDS
        )

    def variant(self, number: int) -> Variant:
        if not 1 <= number <= len(self.variants):
            raise TemplateError(
                self.name,
                None,
                f"has no variant {number}",
                f"pick a variant from 1 to {len(self.variants)}",
            )
        return self.variants[number - 1]


class TemplateLibrary:
    """The templates under one folder, read and compiled on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._paths: dict[str, list[Path]] | None = None
        self._templates: dict[str, MessageTemplate] = {}
        self._compiled: dict[tuple[str, int, Part], jinja2.Template] = {}
        self._environment: jinja2.Environment | None = None

    def names(self) -> list[str]:
        return sorted(self._find())

    def get(self, name: str) -> MessageTemplate:
        if name not in self._templates:
            paths = self._find().get(name)
            if not paths:
                raise TemplateError(
                    name,
                    None,
                    f"not found in {self.folder}",
                    f"create {self.folder / name}.sms.j2 or .email.j2, or fix the name",
                )
            if len(paths) > 1:
                raise TemplateError(
                    name,
                    None,
                    "exists both as a text and as an email",
                    f"keep one of {' and '.join(str(path) for path in paths)}",
                )
            path = paths[0]
            channel = next(ch for suffix, ch in SUFFIXES.items() if path.name.endswith(suffix))
            try:
                text = path.read_text("utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise TemplateError(
                    name, None, f"cannot be read ({error})", f"save {path} as UTF-8 text"
                ) from None
            self._templates[name] = parse_template(name, channel, path, text)
        return self._templates[name]

    def environment(self) -> jinja2.Environment:
        if self._environment is None:
            import jinja2

            # Plain text, not HTML: no autoescape. StrictUndefined turns a misspelt field into an
            # error instead of a blank in a message a lead will read.
            self._environment = jinja2.Environment(
                undefined=jinja2.StrictUndefined,
                autoescape=False,
                trim_blocks=True,
                lstrip_blocks=True,
            )
        return self._environment

    def compiled(self, template: MessageTemplate, variant: Variant, part: Part) -> jinja2.Template:
        key = (template.name, variant.number, part)
        if key not in self._compiled:
            import jinja2

            try:
                self._compiled[key] = _from_source(self.environment(), variant.source(part))
            except jinja2.TemplateSyntaxError as error:
                raise TemplateError(
                    template.name,
                    error.lineno,
                    f"Jinja syntax error: {error.message}",
                    "close every {{ }} and {% %} and match each {% if %} with {% endif %}",
                    rule="syntax",
                ) from None
        return self._compiled[key]

    def _find(self) -> dict[str, list[Path]]:
        if self._paths is None:
            # One walk of the folder for every suffix, listing what Path.rglob would (a linked
            # folder is not entered) at a third of the cost of a glob per suffix.
            found: dict[str, list[Path]] = {suffix: [] for suffix in SUFFIXES}
            for parent, folders, files in os.walk(self.folder):
                for entry in (*folders, *files):
                    for suffix, paths in found.items():
                        if entry.endswith(suffix):
                            paths.append(Path(parent, entry))
            self._paths = {}
            for suffix, paths in found.items():
                for path in sorted(paths):
                    name = path.relative_to(self.folder).as_posix()[: -len(suffix)]
                    self._paths.setdefault(name, []).append(path)
        return self._paths


def _from_source(environment: jinja2.Environment, source: str) -> jinja2.Template:
    """`environment.from_string(source)`, with the code Jinja compiles it to kept in the
    workspace's parsed cache (parsed_cache.py) by the source, Jinja's and Python's versions:
    the lexer, parser and code generator run once per wording, not on every `today`. The code
    is as trusted as the templates it came from: both are the workspace's own files."""
    import sys

    import jinja2

    from leadchase import __version__
    from leadchase.parsed_cache import parsed

    made_by = f"leadchase {__version__}, Jinja {jinja2.__version__}, Python {sys.version}"
    # The name says it all (who compiled what): no bytes of a file to compare besides.
    code = parsed(f"jinja: {made_by}\n{source}", b"", lambda _: environment.compile(source))
    return environment.template_class.from_code(
        environment, code, environment.make_globals(None), None
    )


def parse_template(name: str, channel: MessageChannel, path: Path, text: str) -> MessageTemplate:
    """Split a template file into its variants, checking the variant format."""
    lines = tuple(text.splitlines())
    markers = [index for index, line in enumerate(lines) if line.startswith("===")]
    for index in markers:
        if not _MARKER.match(lines[index]):
            raise TemplateError(
                name,
                index + 1,
                f"{lines[index].strip()!r} is not a variant marker",
                'write "=== variant ===" or "=== variant: equity ==="',
            )
    if not markers:
        chunks = [(0, 0, len(lines))]
    else:
        _check_preamble(name, lines[: markers[0]])
        ends = [*markers[1:], len(lines)]
        chunks = [(start + 1, start + 1, end) for start, end in zip(markers, ends, strict=True)]
    variants = tuple(
        _variant(name, channel, lines, number, marker_line, first, end)
        for number, (marker_line, first, end) in enumerate(chunks, start=1)
    )
    if not any("generic" in variant.offer_kinds for variant in variants):
        raise TemplateError(
            name,
            1,
            "has no generic variant for leads whose offer has no framed wording",
            'add a "=== variant ===" section',
        )
    return MessageTemplate(name, channel, path, lines, variants)


def _check_preamble(name: str, preamble: tuple[str, ...]) -> None:
    """Only Jinja comments (notes for the template's author) may come before the first marker."""
    if _JINJA_COMMENT.sub("", "\n".join(preamble)).strip():
        line = next(
            number
            for number, text in enumerate(preamble, start=1)
            if text.strip() and not text.lstrip().startswith("{#")
        )
        raise TemplateError(
            name,
            line,
            "text before the first variant marker would never be sent",
            'move it below a "=== variant ===" line or wrap it in {# #} as a note',
        )


def _variant(
    name: str,
    channel: MessageChannel,
    lines: tuple[str, ...],
    number: int,
    marker_line: int,
    first: int,
    end: int,
) -> Variant:
    kinds = _offer_kinds(name, lines[marker_line - 1], marker_line) if marker_line else ()
    subject, subject_line = None, 0
    if channel == "email":
        first, subject, subject_line = _subject(name, lines, number, marker_line, first, end)
    body = "\n".join(lines[first:end])
    if not _JINJA_COMMENT.sub("", body).strip():
        raise TemplateError(
            name, marker_line or 1, f"variant {number} is empty", "write its message or remove it"
        )
    return Variant(
        number, kinds or ("generic",), marker_line or 1, subject, subject_line, body, first + 1
    )


def _offer_kinds(name: str, marker: str, line: int) -> tuple[str, ...]:
    match = _MARKER.match(marker)
    written = (match.group("kinds") or "") if match else ""
    kinds = tuple(kind.strip().lower() for kind in written.split(",") if kind.strip())
    for kind in kinds:
        if kind not in OFFER_KINDS:
            raise TemplateError(
                name, line, f"unknown offer kind {kind!r}", f"use one of {', '.join(OFFER_KINDS)}"
            )
    return kinds


def _subject(
    name: str, lines: tuple[str, ...], number: int, marker_line: int, first: int, end: int
) -> tuple[int, str, int]:
    """An email variant's first non-blank line is its subject; the body follows it."""
    index = next((i for i in range(first, end) if _is_content(lines[i])), end)
    match = _SUBJECT.match(lines[index]) if index < end else None
    if match is None:
        raise TemplateError(
            name,
            index + 1 if index < end else marker_line or 1,
            f"email variant {number} does not start with a Subject: line",
            'begin the variant with "Subject: ..." then the body',
        )
    return index + 1, match.group("subject"), index + 1


def _is_content(line: str) -> bool:
    return bool(line.strip()) and not _JINJA_COMMENT.fullmatch(line.strip())
