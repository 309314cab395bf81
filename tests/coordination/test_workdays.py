import datetime as dt

from apps.notifications.workdays import is_working_day, working_days_add, working_days_sub


def test_weekend_and_christmas_are_skipped():
    # Thu 24 Dec 2026 is a working day; Fri 25 and Sat 26 are holidays, Sun 27 weekend.
    assert is_working_day(dt.date(2026, 12, 24))
    assert not is_working_day(dt.date(2026, 12, 25))
    assert working_days_add(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
    assert working_days_sub(dt.date(2026, 12, 28), 1) == dt.date(2026, 12, 24)


def test_easter_is_skipped():
    # Wed 24 Mar 2027; Maundy Thursday, Good Friday, weekend, Easter Monday off.
    assert working_days_add(dt.date(2027, 3, 24), 1) == dt.date(2027, 3, 30)
    assert working_days_sub(dt.date(2027, 3, 30), 2) == dt.date(2027, 3, 23)


def test_zero_is_the_day_itself():
    assert working_days_add(dt.date(2026, 12, 26), 0) == dt.date(2026, 12, 26)
