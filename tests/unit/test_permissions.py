from types import SimpleNamespace

import pytest

from civic.core import permissions as p


def user(*roles, authenticated=True):
    return SimpleNamespace(
        is_authenticated=authenticated, role_names=frozenset({"citizen", *roles})
    )


ANON = SimpleNamespace(is_authenticated=False, role_names=frozenset())


def test_predicates_combine():
    owner = p.Predicate(lambda u, o: o is not None and o.owner is u, "owner")
    rule = p.has_role("moderator") | (p.is_authenticated & owner)
    alice, mod = user(), user("moderator")
    item = SimpleNamespace(owner=alice)
    assert rule(alice, item) and rule(mod, item)
    assert not rule(user(), item) and not rule(ANON, item)
    assert (~p.is_authenticated)(ANON) and not (~p.is_authenticated)(alice)
    assert "has_role(moderator)" in repr(rule)


def test_unknown_action_is_denied():
    assert not p.can(user("admin"), "no.such.action")


def test_registering_an_action_twice_is_an_error():
    p.register("tests.once", p.always)
    p.register("tests.once", p.always)  # the same rule again: harmless (module re-import)
    with pytest.raises(ValueError):
        p.register("tests.once", p.is_authenticated)


def test_every_declared_action_is_registered(app):
    actions = set(app.extensions["civic_route_actions"].values())
    assert actions <= set(p.rules())
