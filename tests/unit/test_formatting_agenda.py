"""What the agenda adds to core.formatting: the hours of a day, the names of the week."""

from datetime import UTC, datetime

from flask_babel import force_locale

from civic.core import formatting as f

NB = "\u00a0"


def test_hours_of_a_day_in_both_languages(app):
    start = datetime(2027, 7, 6, 7, 0, tzinfo=UTC)  # 9 h in Paris (summer time)
    end = datetime(2027, 7, 6, 10, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert f.hours_filter(start, end).replace(NB, " ") == "de 9 h à 12 h 30"
            assert f.hours_filter(start).replace(NB, " ") == "à 9 h"
            assert f.hours_filter(None) == ""
        with force_locale("en"):
            assert f.hours_filter(start, end).replace(NB, " ") == "9 am – 12.30 pm"
            assert f.hours_filter(start).replace(NB, " ") == "at 9 am"


def test_week_starts_on_monday_in_the_page_language(app):
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert f.weekday_names()[0] == "lundi" and f.weekday_names()[6] == "dimanche"
        with force_locale("en"):
            assert f.weekday_names()[0] == "Monday"
