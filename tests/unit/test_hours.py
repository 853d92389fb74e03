"""Opening hours in words, from the OpenStreetMap syntax of the open-data files."""

from datetime import UTC, datetime

from flask_babel import force_locale

from civic.ratings import hours

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday


def words(expression: str, language: str = "fr") -> list[str]:
    with force_locale(language):
        return [line.replace("\u00a0", " ") for line in hours.weekly(expression, NOW)]


def test_weekdays_and_saturday_in_words(app):
    with app.test_request_context("/"):
        assert words("Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00") == [
            "du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h",
            "samedi, 9 h – 12 h",
        ]
        assert words("Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00", "en") == [
            "Monday to Friday, 8.30 am – 12 pm and 1.30 pm – 5 pm",
            "Saturday, 9 am – 12 pm",
        ]


def test_two_days_single_days_and_round_the_clock(app):
    with app.test_request_context("/"):
        assert words("Tu,We 14:00-18:30; Fr 10:00-12:00") == [
            "mardi et mercredi, 14 h – 18 h 30",
            "vendredi, 10 h – 12 h",
        ]
        assert words("24/7") == ["tous les jours, 24 h sur 24"]
        assert words("not hours at all") == []


def test_the_next_change_is_said_relative_to_today(app):
    with app.test_request_context("/"), force_locale("fr"):
        state = hours.state("Mo-Fr 08:30-12:00", NOW)  # 11:00 in Paris: open
        assert state.is_open
        from civic.core.formatting import relative_filter, time_filter

        assert time_filter(state.next_change).replace("\u00a0", " ") == "12 h"
        later = hours.state("Mo-Fr 08:30-12:00", datetime(2026, 12, 11, 12, 0, tzinfo=UTC))
        assert relative_filter(later.next_change, datetime(2026, 12, 11, 12, 0, tzinfo=UTC)) == (
            "lundi à 8\u00a0h\u00a030"
        )
