"""The sections that packages add to a person's "Mes contributions" page.

Consultations own the page; workshops, ratings and the others register what one person did
with them, loaded by a function and shown by the package's own template (which receives it as
`section`), so that the page lists everything a resident took part in.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    load: Callable[[object], dict]  # user -> what the template shows; empty when nothing


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    _sections[section.name] = section


def sections(user) -> list[tuple[Section, dict]]:
    return [(s, s.load(user)) for s in _sections.values()]
