"""Working days in North Rhine-Westphalia (due dates): weekends and NRW holidays skipped."""

import datetime

import pytest

from cases.calendar import add_working_days, is_working_day, working_days_between

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 6, 3), True),  # Wednesday before Corpus Christi
        (D(2026, 6, 4), False),  # Fronleichnam: a holiday in NRW, not everywhere in Germany
        (D(2026, 6, 6), False),  # Saturday
        (D(2026, 6, 7), False),  # Sunday
        (D(2026, 10, 3), False),  # Tag der Deutschen Einheit (a Saturday in 2026)
        (D(2027, 11, 1), False),  # Allerheiligen on a Monday (NRW)
        (D(2026, 10, 31), False),  # Reformation Day is no NRW holiday, but a Saturday in 2026
        (D(2025, 10, 31), True),  # … and a working day in NRW on a Friday
        (D(2026, 12, 24), True),  # Christmas Eve is not a public holiday
        (D(2026, 12, 25), False),
        (D(2026, 12, 28), True),
        (D(2026, 5, 14), False),  # Christi Himmelfahrt
        (D(2026, 5, 25), False),  # Pfingstmontag
    ],
)
def test_is_working_day_knows_nrw_holidays_and_weekends(day, working):
    assert is_working_day(day) is working


def test_a_deadline_skips_corpus_christi_and_the_weekend():
    # Filed Wednesday 3 June 2026: Thu 4 is Fronleichnam, Fri 5 counts, Sat/Sun do not.
    assert add_working_days(D(2026, 6, 3), 1) == D(2026, 6, 5)
    assert add_working_days(D(2026, 6, 3), 2) == D(2026, 6, 8)


def test_a_deadline_over_christmas_and_new_year():
    # Wed 23 Dec 2026 + 3: Thu 24 (working), Fri 25 and Sat 26 holidays, Sun 27, Mon 28, Tue 29.
    assert add_working_days(D(2026, 12, 23), 3) == D(2026, 12, 29)
    # Thu 31 Dec 2026 + 1: 1 Jan 2027 is New Year, then the weekend of 2/3 Jan.
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_filed_on_a_saturday_counts_from_monday():
    assert add_working_days(D(2026, 6, 6), 1) == D(2026, 6, 8)


def test_zero_days_is_the_same_day():
    assert add_working_days(D(2026, 6, 4), 0) == D(2026, 6, 4)


def test_ten_working_days_from_a_monday_are_two_weeks():
    assert add_working_days(D(2026, 9, 7), 10) == D(2026, 9, 21)


def test_working_days_between_counts_the_days_a_case_waited():
    assert working_days_between(D(2026, 6, 3), D(2026, 6, 8)) == 2  # Fri 5 and Mon 8
    assert working_days_between(D(2026, 6, 8), D(2026, 6, 3)) == 0
    assert working_days_between(D(2026, 6, 3), D(2026, 6, 3)) == 0


def test_adding_what_working_days_between_counts_gets_back_to_the_end():
    start = D(2026, 12, 18)
    for end in (D(2026, 12, 21), D(2026, 12, 29), D(2027, 1, 8)):
        assert add_working_days(start, working_days_between(start, end)) == end
