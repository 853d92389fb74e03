"""Where each package declares the personal data it holds, for export and erasure.

Packages register an exporter (user -> JSON-ready data) and an eraser (user -> None, run in
the erasure transaction). The accounts package calls them all.
"""

from collections.abc import Callable

_exporters: dict[str, Callable] = {}
_erasers: list[Callable] = []


def register_exporter(name: str, fn: Callable) -> None:
    _exporters[name] = fn


def register_eraser(fn: Callable) -> None:
    if fn not in _erasers:
        _erasers.append(fn)


def export_all(user) -> dict:
    return {name: fn(user) for name, fn in sorted(_exporters.items())}


def erase_all(user) -> None:
    for fn in _erasers:
        fn(user)
