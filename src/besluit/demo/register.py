"""The demo's fictional register and people: pure and deterministic, no database.

342 fictional members (names from the syllables in content/register.toml, log-normal
populations, the networks G4, G40, P10, M50 and K80), the cast of members the named
representatives act for, and the accounts of content/people.toml. ``data`` loads them.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from besluit import csvsafe
from besluit.associations.models import Role
from besluit.core.register_csv import PROVINCES
from besluit.demo import prose

AMS = ZoneInfo("Europe/Amsterdam")
SEED = 20261210
PASSWORD = "demo-besluit"  # passes the configured password validators (see the tests)

SLUG = "vvvg"
NAME = "Vereniging van Voorbeeldgemeenten"
SHORT_NAME = "VVVG"
DEPARTMENT_SLUG = "vzvg"
DEPARTMENT_NAME = "Vereniging van Zeeuwse Voorbeeldgemeenten"
DEPARTMENT_SHORT_NAME = "VZVG"
DEPARTMENT_PROVINCE = "Zeeland"

REFERENCE_DATE = date(2026, 1, 1)
RULE_VALID_FROM = date(2025, 1, 1)
RULE_LABEL = "Voorbeeldtabel (geen echte statuten)"
TARGET_INHABITANTS = 18_000_000

_REGISTER = prose.table("register.toml")
# Municipalities per province, as in the real country (342 in all).
PROVINCE_COUNTS: dict[str, int] = _REGISTER["province_counts"]
assert set(PROVINCE_COUNTS) == set(PROVINCES)
N_MEMBERS = sum(PROVINCE_COUNTS.values())  # 342

# The four largest (G4), hand-named; everything else is generated.
G4: tuple[tuple[str, str, int], ...] = tuple(tuple(row) for row in _REGISTER["g4"])
# The smallest member, a Wadden island like Vlieland or Schiermonnikoog.
SMALLEST: tuple[str, str, int] = tuple(_REGISTER["smallest"])

# Fictional names: prefix + root + suffix, never a real municipality's name.
_SYLLABLES = _REGISTER["syllables"]
_PREFIXES: tuple[str, ...] = tuple(_SYLLABLES["prefixes"])
_ROOTS: tuple[str, ...] = tuple(_SYLLABLES["roots"])
_SUFFIXES: tuple[str, ...] = tuple(_SYLLABLES["suffixes"])
_REGIONAL_SUFFIXES = {k: tuple(v) for k, v in _SYLLABLES["regional_suffixes"].items()}
_REAL_NAMES = frozenset(_SYLLABLES["real_names"])


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


@dataclass(frozen=True)
class DemoMember:
    code: str
    name: str
    province: str
    inhabitants: int
    networks: tuple[str, ...]

    @property
    def slug(self) -> str:
        return slugify(self.name)


# --- the register: pure and deterministic ------------------------------------


def _names(rng: random.Random, provinces: list[str], taken: set[str]) -> list[str]:
    names = []
    for province in provinces:
        suffixes = _REGIONAL_SUFFIXES.get(province, _SUFFIXES)
        while True:
            name = rng.choice(_PREFIXES) + rng.choice(_ROOTS) + rng.choice(suffixes)
            if name.lower() not in taken and name.lower() not in _REAL_NAMES:
                break
        taken.add(name.lower())
        names.append(name)
    return names


def _squeeze(value: float) -> float:
    """Keep a value between 1,500 and 248,000; large ones bend smoothly towards the top.

    Below 150,000 nothing changes; above, the excess is compressed so the tail
    stays below the G4 (more than 250,000) without piling up at one value.
    """
    if value <= 150_000:
        return max(1_500.0, value)
    return 150_000 + 98_000 * (1 - math.exp(-(value - 150_000) / 98_000))


def _populations(rng: random.Random, n: int, total: int) -> list[int]:
    """``n`` log-normal populations between 1,500 and 248,000, summing to about ``total``."""
    raw = [rng.lognormvariate(0.0, 0.85) for _ in range(n)]
    scale = total / sum(raw)
    for _ in range(50):  # rescale, squeeze, repeat: converges in a few rounds
        scale *= total / sum(_squeeze(r * scale) for r in raw)
    return [round(_squeeze(r * scale)) for r in raw]


def demo_members() -> list[DemoMember]:
    """The 342 fictional members of the VVVG, largest first; the same on every call."""
    rng = random.Random(SEED)
    fixed = [*G4, SMALLEST]
    rest_total = TARGET_INHABITANTS - sum(p for _, _, p in fixed)
    others = sorted(_populations(rng, N_MEMBERS - len(fixed), rest_total), reverse=True)
    slots = []
    for province, count in PROVINCE_COUNTS.items():
        slots += [province] * (count - sum(1 for _, p, _ in fixed if p == province))
    rng.shuffle(slots)
    # Zeeland has no large cities: keep its members out of the 100 largest.
    for i in range(100 - len(G4)):
        if slots[i] == DEPARTMENT_PROVINCE:
            j = rng.choice([k for k in range(100, len(slots)) if slots[k] != DEPARTMENT_PROVINCE])
            slots[i], slots[j] = slots[j], slots[i]
    taken = {n.lower() for n, _, _ in fixed}
    names = _names(rng, slots, taken)
    rows = [(n, p, i) for n, p, i in G4] + list(zip(names, slots, others, strict=True))
    rows.append(SMALLEST)

    # Networks. G4: the four largest; G40: the next 40; P10: 31 large rural
    # municipalities; M50: mid-size (30,000-80,000); K80: small (up to 25,000).
    networks: list[set[str]] = [set() for _ in rows]
    for i in range(4):
        networks[i].add("G4")
    for i in range(4, 44):
        networks[i].add("G40")
    rural = [i for i in range(44, len(rows)) if 35_000 <= rows[i][2] <= 100_000]
    p10 = set(rng.sample(rural, 31))
    mid = [i for i in range(44, len(rows)) if 30_000 <= rows[i][2] <= 80_000 and i not in p10]
    m50 = set(rng.sample(mid, min(50, len(mid))))
    small = [i for i in range(44, len(rows)) if rows[i][2] <= 25_000]
    k80 = set(rng.sample(small, min(80, len(small)))) | {len(rows) - 1}
    for code, chosen in (("P10", p10), ("M50", m50), ("K80", k80)):
        for i in chosen:
            networks[i].add(code)

    # Codes in alphabetical order of name: GM9001 ... GM9342 (CBS does not use 9xxx).
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])
    code_of = {i: f"GM{9001 + k}" for k, i in enumerate(order)}
    return [
        DemoMember(code_of[i], name, province, inhabitants, tuple(sorted(networks[i])))
        for i, (name, province, inhabitants) in enumerate(rows)
    ]


def register_csv(members: Iterable[DemoMember]) -> bytes:
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow(["gemeentecode", "naam", "provincie", "inwoners", "peildatum"])
    for m in members:
        writer.writerow([m.code, m.name, m.province, m.inhabitants, REFERENCE_DATE.isoformat()])
    return out.getvalue().encode()


# --- people -------------------------------------------------------------------


_PEOPLE = prose.table("people.toml")
FUNCTION_WORD: dict[str, str] = _PEOPLE["function_word"]


@dataclass(frozen=True)
class _RoleSpec:
    association: str  # slug
    kind: str
    member_code: str | None = None
    function: str = ""


@dataclass(frozen=True)
class _Person:
    username: str
    first_name: str
    last_name: str
    description: str
    roles: tuple[_RoleSpec, ...]


@dataclass(frozen=True)
class _Cast:
    """The members the demo's named representatives act for."""

    largest: DemoMember
    city: DemoMember  # a G40 city
    rural: DemoMember  # a P10 municipality
    mid: DemoMember  # an M50 municipality
    smallest: DemoMember
    zeeland: DemoMember  # also a member of the provincial department

    @property
    def all(self) -> tuple[DemoMember, ...]:
        return (self.largest, self.city, self.rural, self.mid, self.smallest, self.zeeland)


def demo_cast(members: list[DemoMember]) -> _Cast:
    def first(test: Callable[[DemoMember], bool]) -> DemoMember:
        return next(m for m in members if test(m))

    rural = first(lambda m: "P10" in m.networks and m.province != DEPARTMENT_PROVINCE)
    mids = [m for m in members if "M50" in m.networks]
    # A mid-size member from the middle of M50 whose name does not look like the rural one's.
    mid = next(m for m in mids[len(mids) // 2 :] if m.name[:7] != rural.name[:7])
    zeeland = first(
        lambda m: (
            m.province == DEPARTMENT_PROVINCE and "G40" not in m.networks and m not in (rural, mid)
        )
    )
    return _Cast(
        largest=members[0],
        city=members[5],
        rural=rural,
        mid=mid,
        smallest=members[-1],
        zeeland=zeeland,
    )


def demo_people(cast: _Cast) -> list[_Person]:
    """The people of people.toml; a representative acts for one of the cast's members."""
    people = []
    for p in _PEOPLE["person"]:
        if "member" not in p:
            roles = tuple(_RoleSpec(r["association"], r["kind"]) for r in p["roles"])
            people.append(
                _Person(p["username"], p["first_name"], p["last_name"], p["description"], roles)
            )
            continue
        member, function = getattr(cast, p["member"]), p["function"]
        word = FUNCTION_WORD[function]
        roles = (_RoleSpec(SLUG, Role.Kind.REPRESENTATIVE, member.code, function),)
        if p.get("also_department"):
            roles += (_RoleSpec(DEPARTMENT_SLUG, Role.Kind.REPRESENTATIVE, member.code, function),)
        description = _PEOPLE["representative_description"].format(
            word=word, name=member.name, code=member.code
        )
        people.append(
            _Person(f"{word}-{member.slug}", p["first_name"], p["last_name"], description, roles)
        )
    return people


def demo_accounts() -> list[DemoAccount]:
    """The accounts to log in with: the same on every call, whether loaded or not."""
    people = demo_people(demo_cast(demo_members()))
    accounts = []
    for p in people:
        description = p.description
        if len(p.roles) > 1 and p.roles[1].kind == Role.Kind.REPRESENTATIVE:
            description += _PEOPLE["department_note"]
        accounts.append(DemoAccount(p.username, PASSWORD, description))
    return accounts
