"""Synthetic lead files as messy as the ones vendors sell, for benchmarks and tests.

Deterministic for a seed, streamed row by row (a million rows need a few kilobytes of memory),
standard library only so the benchmark harness can run it before anything else is installed.

    python benchmarks/generate.py OUT.csv --rows 100000 [--seed 1] [--style vendor|facebook] [--fresh]

What the mess looks like, on average per 100 rows:
- 5 duplicates of an earlier lead: the same cell phone written another way ("(305) 555-0100"
  vs "1-305-555-0100") or the same email in another case, usually resold by another vendor;
- 2 rows with neither a usable phone nor a usable email (the import must reject them);
- a few email-only and phone-only leads, names in ALL CAPS or lower case, ZIPs that lost their
  leading zero, states spelled out, and area codes from another state (people move).

Lead dates spread over the two years before `end`; with `fresh`, over the last hour before it
(every lead new, as in a file downloaded the moment the leads came in). Vendor dates carry no
offset, so they are written in the lead's own wall-clock time, the way the import reads them.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Bumped whenever the output for a given (rows, seed, style) changes, so cached files are remade.
VERSION = 2

STYLES = ("vendor", "facebook")
VENDOR_HEADER = [
    "FNAME", "LNAME", "ADDRESS", "CITY", "ST", "ZIP", "CELL PHONE", "HOME PHONE",
    "EMAIL ADDRESS", "DATE ADDED", "LOAN AMOUNT", "VENDOR",
]  # fmt: skip
FACEBOOK_HEADER = [
    "id", "created_time", "ad_name", "form_name", "full_name", "email", "phone_number",
    "state", "zip_code", "what_is_your_home_value?",
]  # fmt: skip

DUPLICATE_SHARE = 0.05
REJECT_SHARE = 0.02
YEARS_OF_LEADS = 730 * 24 * 3600  # seconds of lead dates before `end`
HOUR_OF_FRESH_LEADS = 3600  # ... and with fresh=True
# Dates are spread over the two years before this moment, so files do not depend on today.
DEFAULT_END = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

# (city, state, area codes, ZIPs): real area codes and ZIPs of that city.
METROS: tuple[tuple[str, str, tuple[int, ...], tuple[str, ...]], ...] = (
    ("Miami", "FL", (305, 786), ("33125", "33127", "33130", "33133", "33145")),
    ("Orlando", "FL", (407, 321), ("32801", "32803", "32806", "32819")),
    ("Tampa", "FL", (813,), ("33602", "33606", "33611", "33629")),
    ("Jacksonville", "FL", (904,), ("32202", "32205", "32207", "32210")),
    ("Houston", "TX", (713, 281, 832), ("77002", "77006", "77019", "77056")),
    ("Dallas", "TX", (214, 469, 972), ("75201", "75204", "75206", "75214")),
    ("Austin", "TX", (512, 737), ("78701", "78704", "78745", "78758")),
    ("San Antonio", "TX", (210,), ("78205", "78209", "78216", "78230")),
    ("Atlanta", "GA", (404, 678, 770), ("30303", "30305", "30308", "30318")),
    ("Charlotte", "NC", (704, 980), ("28202", "28203", "28205", "28210")),
    ("Raleigh", "NC", (919, 984), ("27601", "27603", "27605", "27609")),
    ("Phoenix", "AZ", (602, 480, 623), ("85003", "85004", "85016", "85018")),
    ("Denver", "CO", (303, 720), ("80202", "80205", "80206", "80210")),
    ("Las Vegas", "NV", (702, 725), ("89101", "89102", "89117", "89123")),
    ("Los Angeles", "CA", (213, 323, 310), ("90004", "90012", "90026", "90034")),
    ("San Diego", "CA", (619, 858), ("92101", "92103", "92104", "92109")),
    ("Sacramento", "CA", (916,), ("95814", "95816", "95818", "95819")),
    ("Seattle", "WA", (206,), ("98101", "98103", "98107", "98115")),
    ("Portland", "OR", (503, 971), ("97201", "97205", "97209", "97214")),
    ("Chicago", "IL", (312, 773), ("60601", "60607", "60614", "60657")),
    ("Columbus", "OH", (614,), ("43201", "43205", "43206", "43215")),
    ("Detroit", "MI", (313,), ("48201", "48207", "48214", "48226")),
    ("Minneapolis", "MN", (612,), ("55401", "55403", "55405", "55408")),
    ("New York", "NY", (212, 646, 917), ("10001", "10011", "10016", "10025")),
    ("Philadelphia", "PA", (215, 267), ("19102", "19103", "19106", "19147")),
    ("Baltimore", "MD", (410, 443), ("21201", "21202", "21211", "21224")),
    ("Oklahoma City", "OK", (405,), ("73102", "73103", "73106", "73118")),
    ("Nashville", "TN", (615, 629), ("37203", "37206", "37208", "37212")),
    ("Boston", "MA", (617, 857), ("02108", "02115", "02116", "02118")),
    ("Salt Lake City", "UT", (801, 385), ("84101", "84102", "84103", "84105")),
)
STATE_NAMES = {
    "FL": "Florida", "TX": "Texas", "GA": "Georgia", "NC": "North Carolina", "AZ": "Arizona",
    "CO": "Colorado", "NV": "Nevada", "CA": "California", "WA": "Washington", "OR": "Oregon",
    "IL": "Illinois", "OH": "Ohio", "MI": "Michigan", "MN": "Minnesota", "NY": "New York",
    "PA": "Pennsylvania", "MD": "Maryland", "OK": "Oklahoma", "TN": "Tennessee",
    "MA": "Massachusetts", "UT": "Utah",
}  # fmt: skip
# Each metro's state has one time zone where its metros are.
STATE_ZONES = {
    "FL": "America/New_York", "TX": "America/Chicago", "GA": "America/New_York",
    "NC": "America/New_York", "AZ": "America/Phoenix", "CO": "America/Denver",
    "NV": "America/Los_Angeles", "CA": "America/Los_Angeles", "WA": "America/Los_Angeles",
    "OR": "America/Los_Angeles", "IL": "America/Chicago", "OH": "America/New_York",
    "MI": "America/Detroit", "MN": "America/Chicago", "NY": "America/New_York",
    "PA": "America/New_York", "MD": "America/New_York", "OK": "America/Chicago",
    "TN": "America/Chicago", "MA": "America/New_York", "UT": "America/Denver",
}  # fmt: skip
FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "Maria", "Jose", "Ana", "Luis", "Rosa", "Wei", "Mei", "Nguyen", "Priya", "Raj",
    "Aisha", "DeShawn", "Latoya", "Kevin", "Ashley", "Brian", "Amanda", "Mary Ann", "Jean-Luc",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark",
    "O'Brien", "McDonald", "De La Cruz", "Van Dyke", "Nguyen", "Patel", "Kim", "Washington",
    "St. James", "Smith-Jones",
)  # fmt: skip
STREETS = ("Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill",
           "Park", "Sunset", "Ridge", "Palm", "Magnolia", "Church")  # fmt: skip
STREET_TYPES = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Way", "Street", "Avenue")
DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "aol.com", "outlook.com", "icloud.com",
           "comcast.net", "att.net")  # fmt: skip
VENDORS = ("LendingTree", "Zillow", "FB Lead Ads", "AgedLeadStore", "SmartFinancial",
           "LowerMyBills", "QuinStreet")  # fmt: skip
BAD_PHONES = ("123-4567", "000-000-0000", "(999) 999-9999", "555-555-5555", "n/a", "1234",
              "0", "")  # fmt: skip
BAD_EMAILS = ("n/a", "none", "noemail", "test@", "@gmail.com", "john.smith@", "declined", "")
# Exchanges (the 3 digits after the area code) that are real: 200-999 except N11 and 555.
EXCHANGES = tuple(e for e in range(200, 1000) if e % 100 != 11 and e != 555)
_LINES = 10_000
_LINE_STEP = 7_919  # coprime with 10,000, so line numbers run through a permutation
_RECENT = 5_000  # duplicates repeat one of the last few thousand leads


@dataclass(frozen=True, slots=True)
class Lead:
    """One person, as the generator knows them before a vendor garbles the row."""

    first: str
    last: str
    cell: tuple[int, int, int] | None  # area code, exchange, line
    home: tuple[int, int, int] | None
    email: str
    street: str
    metro: int
    zip_code: str


@dataclass
class GenerateStats:
    """What went into a generated file, by construction."""

    rows: int = 0
    duplicates: int = 0
    rejects: int = 0


class _PhoneAllocator:
    """Hands out distinct valid numbers per area code, so only intended duplicates collide."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next: dict[int, int] = {}
        self._offset: dict[int, tuple[int, int]] = {}

    def number(self, area: int) -> tuple[int, int, int]:
        count = self._next.get(area, 0)
        self._next[area] = count + 1
        if area not in self._offset:
            self._offset[area] = (self._rng.randrange(len(EXCHANGES)), self._rng.randrange(_LINES))
        exchange_start, line_start = self._offset[area]
        exchange = EXCHANGES[(exchange_start + count // _LINES) % len(EXCHANGES)]
        return area, exchange, (line_start + count * _LINE_STEP) % _LINES


def phone_text(number: tuple[int, int, int], rng: random.Random) -> str:
    """A valid US number in one of the ways vendors write them."""
    area, exchange, line = number
    return rng.choice(_PHONE_FORMATS).format(a=area, e=exchange, line=f"{line:04d}")


_PHONE_FORMATS = (
    "({a}) {e}-{line}",
    "{a}.{e}.{line}",
    "1-{a}-{e}-{line}",
    "+1 {a} {e} {line}",
    "{a}{e}{line}",
    "{a}-{e}-{line}",
    "+1{a}{e}{line}",
)


def _vary_case(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return text.upper()
    if roll < 0.35:
        return text.lower()
    if roll < 0.38:
        return f" {text}  "
    return text


def _lead_date(rng: random.Random, end: datetime, window: int, zone: ZoneInfo) -> str:
    """A moment within `window` seconds before `end`, as wall-clock time in `zone`."""
    moment = (end - timedelta(seconds=rng.randrange(window))).astimezone(zone)
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {half}"


def _loan_amount(rng: random.Random) -> str:
    amount = rng.randrange(60, 900) * 1_000
    return f"${amount:,}" if rng.random() < 0.5 else str(amount)


class _LeadMaker:
    """New leads and the vendor's (re)telling of them, from one random stream."""

    def __init__(self, rng: random.Random, window: int) -> None:
        self.rng = rng
        self.phones = _PhoneAllocator(rng)
        self.serial = 0
        self.window = window  # lead dates fall within this many seconds before the end
        self.zones = {state: ZoneInfo(name) for state, name in STATE_ZONES.items()}

    def new_lead(self) -> Lead:
        rng = self.rng
        self.serial += 1
        metro = rng.randrange(len(METROS))
        home_metro = metro if rng.random() < 0.9 else rng.randrange(len(METROS))
        area = rng.choice(METROS[home_metro][2])
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = "".join(c for c in f"{first}.{last}" if c.isalnum() or c == ".").lower()
        roll = rng.random()
        cell = self.phones.number(area) if roll > 0.06 else None  # 6% email-only
        home = self.phones.number(area) if rng.random() < 0.3 else None
        return Lead(
            first=first,
            last=last,
            cell=cell,
            home=home,
            email=f"{local}{self.serial}@{rng.choice(DOMAINS)}" if roll < 0.92 else "",
            street=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}",
            metro=metro,
            zip_code=rng.choice(METROS[metro][3]),
        )

    def place(self, lead: Lead) -> tuple[str, str, str]:
        """City, state and ZIP as the vendor typed them."""
        rng = self.rng
        city, state, _, _ = METROS[lead.metro]
        zip_code = lead.zip_code
        roll = rng.random()
        if roll < 0.05:
            state = STATE_NAMES[state]
        elif roll < 0.08:
            state = state.lower()
        roll = rng.random()
        if roll < 0.05:
            zip_code = f"{zip_code}-{rng.randrange(10_000):04d}"
        elif zip_code.startswith("0") and roll < 0.5:
            zip_code = zip_code.lstrip("0")  # a spreadsheet ate the leading zero
        return city, state, zip_code

    def contact(self, lead: Lead, kind: str) -> tuple[str, str, str]:
        """Cell, home and email cells: a fresh lead, a duplicate by phone or email, or a reject."""
        rng = self.rng
        if kind == "reject":
            return rng.choice(BAD_PHONES), "", rng.choice(BAD_EMAILS)
        cell = phone_text(lead.cell, rng) if lead.cell else ""
        home = phone_text(lead.home, rng) if lead.home else ""
        email = lead.email
        if kind == "phone-duplicate":
            email = "" if rng.random() < 0.5 else email
        elif kind == "email-duplicate":
            cell, home = "", ""
            email = email.upper() if rng.random() < 0.5 else email.title()
        elif email and rng.random() < 0.1:
            email = email.title()
        if kind == "new" and cell and rng.random() < 0.02:
            cell = rng.choice(BAD_PHONES[:4])  # a typo'd cell: the lead is kept by email
            if not email:
                email = f"{lead.first.lower()}{self.serial}@{rng.choice(DOMAINS)}"
        return cell, home, email


def _pick_kind(rng: random.Random, recent: list[Lead]) -> str:
    roll = rng.random()
    if roll < REJECT_SHARE:
        return "reject"
    if roll < REJECT_SHARE + DUPLICATE_SHARE and recent:
        return "duplicate"
    return "new"


def _rows(
    rows: int, rng: random.Random, end: datetime, stats: GenerateStats, style: str, window: int
) -> Iterator[list[str]]:
    maker = _LeadMaker(rng, window)
    recent: list[Lead] = []
    for _ in range(rows):
        kind = _pick_kind(rng, recent)
        if kind == "duplicate":
            lead = recent[rng.randrange(len(recent))]
            if lead.cell and (not lead.email or rng.random() < 0.6):
                kind = "phone-duplicate"
            else:
                kind = "email-duplicate"
            stats.duplicates += 1
        else:
            lead = maker.new_lead()
            stats.rejects += kind == "reject"
            if kind == "new" and (lead.cell or lead.email):
                if len(recent) < _RECENT:
                    recent.append(lead)
                else:
                    recent[maker.serial % _RECENT] = lead
        stats.rows += 1
        yield _FORMATTERS[style](maker, lead, kind, end)


def _vendor_row(maker: _LeadMaker, lead: Lead, kind: str, end: datetime) -> list[str]:
    rng = maker.rng
    cell, home, email = maker.contact(lead, kind)
    city, state, zip_code = maker.place(lead)
    return [
        _vary_case(lead.first, rng),
        _vary_case(lead.last, rng),
        lead.street.upper() if rng.random() < 0.3 else lead.street,
        city.upper() if rng.random() < 0.3 else city,
        state,
        zip_code,
        cell,
        home,
        email,
        _lead_date(rng, end, maker.window, maker.zones[METROS[lead.metro][1]]),
        _loan_amount(rng),
        rng.choice(VENDORS),
    ]


def _facebook_row(maker: _LeadMaker, lead: Lead, kind: str, end: datetime) -> list[str]:
    """Facebook lead-ads export: full name, "p:+1..." phones, ISO created_time."""
    rng = maker.rng
    cell, home, email = maker.contact(lead, kind)
    phone = cell or home
    if phone and phone not in BAD_PHONES:
        phone = "p:+1" + "".join(c for c in phone if c.isdigit())[-10:]
    city, state, zip_code = maker.place(lead)
    created = end - timedelta(seconds=rng.randrange(maker.window))
    return [
        f"l:{rng.randrange(10**15, 10**16)}",
        created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        f"{city} equity calculator",
        "Home value form",
        _vary_case(f"{lead.first} {lead.last}", rng),
        email,
        phone,
        state,
        zip_code,
        f"${rng.randrange(150, 1500) * 1000:,}",
    ]


_FORMATTERS: dict[str, Callable[[_LeadMaker, Lead, str, datetime], list[str]]] = {
    "vendor": _vendor_row,
    "facebook": _facebook_row,
}


def generate(
    path: Path | str,
    rows: int,
    *,
    seed: int = 1,
    style: str = "vendor",
    end: datetime = DEFAULT_END,
    fresh: bool = False,
) -> GenerateStats:
    """Write `rows` lead rows (plus a header) to `path`; the same arguments give the same bytes.

    With `fresh`, every lead date is within the hour before `end`.
    """
    if style not in STYLES:
        raise ValueError(f"style {style!r} is not one of {', '.join(STYLES)}")
    if rows < 0:
        raise ValueError(f"rows must be 0 or more, not {rows}")
    rng = random.Random(seed)
    stats = GenerateStats()
    header = VENDOR_HEADER if style == "vendor" else FACEBOOK_HEADER
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        window = HOUR_OF_FRESH_LEADS if fresh else YEARS_OF_LEADS
        writer.writerows(_rows(rows, rng, end, stats, style, window))
    return stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic, messy vendor lead file.")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--rows", type=int, default=1000, help="data rows (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--style", choices=STYLES, default="vendor", help="file layout")
    parser.add_argument(
        "--fresh", action="store_true", help="every lead date within the last hour (new leads)"
    )
    args = parser.parse_args(argv)
    stats = generate(args.out, args.rows, seed=args.seed, style=args.style, fresh=args.fresh)
    print(f"{args.out}: {stats.rows} rows, {stats.duplicates} duplicates, {stats.rejects} rejects")


if __name__ == "__main__":
    main()
