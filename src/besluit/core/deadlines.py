"""Submission deadlines for amendments and motions, counted in Dutch working days.

The usual statutory rule is "noon on the 9th working day before the meeting".
Working days are Monday to Friday minus public holidays. Which days count as
holidays follows the Algemene termijnenwet (Atw), the Dutch act for extending
statutory time limits: New Year's Day, Easter Monday, King's Day, Liberation
Day (5 May), Ascension Day, Whit Monday and both Christmas days; Easter and
Whit Sunday are Sundays anyway.

``holidays.NL`` (the ``holidays`` package) differs from the Atw in two ways,
both corrected here:

* it includes Good Friday, which the Atw does not list and which is an
  ordinary working day for most municipalities; opt in with ``good_friday``;
* it has Liberation Day only in lustrum years (2025, 2030, ...), as many
  collective agreements give the day off only then. The Atw lists it every
  year and many municipal offices close, so by default we add it every year
  (``liberation_day_every_year=False`` keeps the lustrum-only behaviour).

Pure Python on purpose: no Django imports, so the rules can be tested alone.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import date, datetime, time, timedelta

import holidays as holidays_lib

SATURDAY = 5  # date.weekday(): Monday is 0


def dutch_holidays(
    years: Iterable[int], *, liberation_day_every_year: bool = True, good_friday: bool = False
) -> frozenset[date]:
    """Dutch public holidays (Atw, see module docstring) in ``years``."""
    wanted = sorted(set(years))
    # English names: the package's default language for NL is Dutch, and we
    # must recognise Good Friday by name whatever the machine's locale is.
    found = holidays_lib.NL(years=wanted, language="en_US") if wanted else {}
    days = {day for day, name in found.items() if good_friday or name != "Good Friday"}
    if liberation_day_every_year:
        days.update(date(year, 5, 5) for year in wanted)
    return frozenset(days)


class _DutchHolidayCalendar:
    """Holidays for whichever years are asked about, computed once per year.

    Lets submission_deadline count back any number of working days without
    guessing in advance how many years the count will cross.
    """

    def __init__(self) -> None:
        self._years: set[int] = set()
        self._days: set[date] = set()

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if day.year not in self._years:
            self._years.add(day.year)
            self._days |= dutch_holidays([day.year])
        return day in self._days


def is_working_day(day: date, holidays: Container[date]) -> bool:
    """Monday to Friday and not a holiday."""
    return day.weekday() < SATURDAY and day not in holidays


def working_days_before(day: date, n: int, holidays: Container[date]) -> date:
    """The n-th working day before ``day``; ``day`` itself is never counted.

    n = 1 is the last working day strictly before ``day``.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    current = day
    while n:
        current -= timedelta(days=1)
        if is_working_day(current, holidays):
            n -= 1
    return current


def submission_deadline(
    meeting_start: datetime,
    *,
    working_days: int = 9,
    at: time = time(12, 0),
    holidays: Container[date] | None = None,
) -> datetime:
    """Deadline for submissions: ``at`` on the n-th working day before the meeting.

    The meeting's calendar date is taken in its own timezone, and the deadline
    is returned in that same tzinfo (Europe/Amsterdam typically), so daylight
    saving time between deadline and meeting is handled by the zone.
    """
    if meeting_start.tzinfo is None or meeting_start.utcoffset() is None:
        # Naive datetimes are ambiguous across DST changes: refuse them.
        raise ValueError("meeting_start must be timezone-aware")
    calendar = _DutchHolidayCalendar() if holidays is None else holidays
    day = working_days_before(meeting_start.date(), working_days, calendar)
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=meeting_start.tzinfo)
