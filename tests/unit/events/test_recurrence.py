"""Recurring events expanded in Paris wall-clock time, and the same rule as RRULE."""

from datetime import UTC, date, datetime

from civic.events.recurrence import Repeat, Rule, ical_rule, occurrences, parse_days


def _rule(repeat, start, until, exceptions=()):
    return Rule(repeat, start, start.replace(hour=start.hour + 3), until, frozenset(exceptions))


def test_weekly_keeps_the_local_hour_across_the_change_of_time():
    # Tuesday 2027-03-23, 9 h in Paris (UTC+1); summer time starts on Sunday 2027-03-28.
    rule = _rule(Repeat.WEEKLY, datetime(2027, 3, 23, 8, 0, tzinfo=UTC), date(2027, 4, 6))
    starts = [start for start, _end in occurrences(rule)]
    assert starts == [
        datetime(2027, 3, 23, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 30, 7, 0, tzinfo=UTC),  # 9 h in summer time
        datetime(2027, 4, 6, 7, 0, tzinfo=UTC),
    ]
    assert all(end - start == rule.first_end - rule.first_start for start, end in occurrences(rule))


def test_fortnightly_with_exceptions():
    rule = _rule(
        Repeat.FORTNIGHTLY,
        datetime(2027, 1, 5, 8, 0, tzinfo=UTC),
        date(2027, 3, 2),
        exceptions={date(2027, 2, 2)},
    )
    days = [start.date() for start, _end in occurrences(rule)]
    assert days == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 16), date(2027, 3, 2)]


def test_monthly_on_the_same_weekday_of_the_month():
    # The first Wednesday: 2027-01-06, then 2027-02-03, 2027-03-03...
    first = _rule(Repeat.MONTHLY, datetime(2027, 1, 6, 17, 0, tzinfo=UTC), date(2027, 4, 30))
    assert [s.date() for s, _e in occurrences(first)] == [
        date(2027, 1, 6),
        date(2027, 2, 3),
        date(2027, 3, 3),
        date(2027, 4, 7),
    ]
    assert ical_rule(first)["byday"] == "1WE"
    # The fifth Friday is the last one of each month.
    last = _rule(Repeat.MONTHLY, datetime(2027, 1, 29, 17, 0, tzinfo=UTC), date(2027, 3, 31))
    assert [s.date() for s, _e in occurrences(last)] == [
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 26),
    ]
    assert ical_rule(last)["byday"] == "-1FR"


def test_rrule_until_is_the_end_of_the_last_day_in_utc():
    rule = _rule(Repeat.FORTNIGHTLY, datetime(2027, 1, 5, 8, 0, tzinfo=UTC), date(2027, 3, 2))
    assert ical_rule(rule) == {
        "freq": "weekly",
        "interval": 2,
        "byday": "TU",
        "until": datetime(2027, 3, 2, 22, 59, 59, tzinfo=UTC),
    }


def test_typed_days():
    days, wrong = parse_days("16/02/2027\n2027-03-02, 31/02/2027 ; demain ²/1/2027")
    assert days == [date(2027, 2, 16), date(2027, 3, 2)]
    assert wrong == ["31/02/2027", "demain", "²/1/2027"]
