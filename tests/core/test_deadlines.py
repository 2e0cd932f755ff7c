"""Submission deadlines: noon on the n-th working day before the meeting."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from besluit.core.deadlines import (
    dutch_holidays,
    is_working_day,
    submission_deadline,
    working_days_before,
)

AMS = ZoneInfo("Europe/Amsterdam")


def days(*isos: str) -> set[date]:
    return {date.fromisoformat(iso) for iso in isos}


HOLIDAYS_2025 = days(
    "2025-01-01",  # New Year's Day
    "2025-04-20",  # Easter Sunday
    "2025-04-21",  # Easter Monday
    "2025-04-26",  # King's Day: 27 April 2025 is a Sunday, so Saturday 26th
    "2025-05-05",  # Liberation Day (a lustrum year: in holidays.NL as well)
    "2025-05-29",  # Ascension Day
    "2025-06-08",  # Whit Sunday
    "2025-06-09",  # Whit Monday
    "2025-12-25",
    "2025-12-26",
)
HOLIDAYS_2026 = days(
    "2026-01-01",
    "2026-04-05",
    "2026-04-06",
    "2026-04-27",  # King's Day, a Monday
    "2026-05-05",  # Liberation Day: added by us, holidays.NL has it only in 2025, 2030 ...
    "2026-05-14",
    "2026-05-24",
    "2026-05-25",
    "2026-12-25",
    "2026-12-26",
)


def test_dutch_holidays_2025_and_2026() -> None:
    assert dutch_holidays([2025]) == HOLIDAYS_2025
    assert dutch_holidays([2026]) == HOLIDAYS_2026
    assert dutch_holidays([2026, 2025, 2026]) == HOLIDAYS_2025 | HOLIDAYS_2026


def test_liberation_day_only_in_lustrum_years_when_asked() -> None:
    assert dutch_holidays([2026], liberation_day_every_year=False) == HOLIDAYS_2026 - days(
        "2026-05-05"
    )
    assert date(2025, 5, 5) in dutch_holidays([2025], liberation_day_every_year=False)


def test_good_friday_is_a_working_day_unless_asked() -> None:
    assert date(2026, 4, 3) not in dutch_holidays([2026])
    assert dutch_holidays([2026], good_friday=True) == HOLIDAYS_2026 | days("2026-04-03")


def test_no_years_no_holidays() -> None:
    assert dutch_holidays([]) == frozenset()


def test_is_working_day() -> None:
    holidays = dutch_holidays([2026])
    assert is_working_day(date(2026, 4, 28), holidays)  # Tuesday
    assert not is_working_day(date(2026, 4, 27), holidays)  # King's Day
    assert not is_working_day(date(2026, 4, 25), holidays)  # Saturday
    assert not is_working_day(date(2026, 4, 26), holidays)  # Sunday
    assert is_working_day(date(2026, 4, 27), set())


def test_working_days_before_does_not_count_the_day_itself() -> None:
    friday = date(2026, 11, 27)
    assert working_days_before(date(2026, 11, 30), 1, set()) == friday  # Monday -> Friday
    assert working_days_before(date(2026, 11, 28), 1, set()) == friday  # Saturday -> Friday
    assert working_days_before(date(2026, 11, 27), 1, set()) == date(2026, 11, 26)


@pytest.mark.parametrize("n", [0, -1])
def test_working_days_before_needs_n_of_at_least_1(n: int) -> None:
    with pytest.raises(ValueError):
        working_days_before(date(2026, 1, 1), n, set())


@pytest.mark.parametrize(
    ("meeting", "expected", "why"),
    [
        ("2026-12-10", "2026-11-27", "plain weeks: Thursday -> Friday two weeks before"),
        ("2026-04-16", "2026-04-02", "skips Easter Monday, counts Good Friday"),
        ("2026-05-08", "2026-04-23", "skips Liberation Day and King's Day"),
        ("2026-05-20", "2026-05-06", "skips Ascension Day"),
        ("2026-06-03", "2026-05-20", "skips Whit Monday"),
        ("2026-01-05", "2025-12-18", "crosses the year: New Year, both Christmas days"),
    ],
)
def test_concrete_deadlines(meeting: str, expected: str, why: str) -> None:
    start = datetime.combine(date.fromisoformat(meeting), time(10, 0), tzinfo=AMS)
    deadline = submission_deadline(start)
    assert deadline == datetime.combine(date.fromisoformat(expected), time(12), tzinfo=AMS), why
    assert deadline.tzinfo is AMS


def test_options_change_the_count() -> None:
    start = datetime(2026, 4, 16, 10, tzinfo=AMS)
    with_good_friday = dutch_holidays([2026], good_friday=True)
    assert submission_deadline(start, holidays=with_good_friday).date() == date(2026, 4, 1)
    lustrum_only = dutch_holidays([2026], liberation_day_every_year=False)
    later = submission_deadline(datetime(2026, 5, 8, 10, tzinfo=AMS), holidays=lustrum_only)
    assert later.date() == date(2026, 4, 24)
    custom = submission_deadline(start, working_days=1, at=time(17, 30))
    assert custom == datetime(2026, 4, 15, 17, 30, tzinfo=AMS)


def test_deadline_keeps_local_noon_across_daylight_saving_time() -> None:
    start = datetime(2026, 4, 9, 10, tzinfo=AMS)  # summer time (+02:00)
    deadline = submission_deadline(start)
    assert deadline == datetime(2026, 3, 26, 12, tzinfo=AMS)  # winter time
    assert deadline.utcoffset() == timedelta(hours=1)
    assert start.utcoffset() == timedelta(hours=2)


def test_meeting_date_is_taken_in_its_own_timezone() -> None:
    # 23:30 UTC on Sunday 6 December is Monday 7 December in Amsterdam.
    start = datetime(2026, 12, 6, 23, 30, tzinfo=ZoneInfo("UTC")).astimezone(AMS)
    assert submission_deadline(start, working_days=1) == datetime(2026, 12, 4, 12, tzinfo=AMS)


def test_naive_meeting_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        submission_deadline(datetime(2026, 12, 10, 10))


# --- the invariant -----------------------------------------------------------------
#
# For r = working_days_before(d, n, H):
#   r is a working day, r < d, and exactly n working days lie in [r, d)
#   (r itself counted, d not). Because r is a working day this pins r down:
#   any earlier working day would make the count larger, any later one smaller.


def working_days_in(start: date, end: date, holidays: object) -> int:
    """Working days in the half-open range [start, end)."""
    count, day = 0, start
    while day < end:
        count += is_working_day(day, holidays)  # type: ignore[arg-type]
        day += timedelta(days=1)
    return count


@given(
    st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(1, 40),
)
def test_invariant_with_dutch_holidays(meeting: date, n: int) -> None:
    holidays = dutch_holidays(range(meeting.year - 1, meeting.year + 1))
    result = working_days_before(meeting, n, holidays)
    assert is_working_day(result, holidays)
    assert result < meeting
    assert working_days_in(result, meeting, holidays) == n


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(1, 30),
    st.frozensets(st.dates(min_value=date(1999, 6, 1), max_value=date(2030, 12, 31))),
)
def test_invariant_with_any_holidays(meeting: date, n: int, holidays: frozenset[date]) -> None:
    result = working_days_before(meeting, n, holidays)
    assert is_working_day(result, holidays)
    assert result < meeting
    assert working_days_in(result, meeting, holidays) == n


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 12, 31),
        timezones=st.just(AMS),
    ),
    st.integers(1, 15),
    st.times(),
)
def test_deadline_is_on_a_working_day_before_the_meeting(start: datetime, n: int, at: time) -> None:
    deadline = submission_deadline(start, working_days=n, at=at)
    holidays = dutch_holidays(range(deadline.year, start.year + 1))
    assert deadline.tzinfo is start.tzinfo
    assert deadline < start
    assert deadline.timetz().replace(tzinfo=None) == at
    assert is_working_day(deadline.date(), holidays)
    assert working_days_in(deadline.date(), start.date(), holidays) == n
