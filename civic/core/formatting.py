"""Template filters: dates shown in Europe/Paris in the user's language."""

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal


def register(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="long": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["number"] = lambda value: format_decimal(value or 0)
