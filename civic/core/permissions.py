"""The permission registry: each package registers its predicates, views ask `require()`.

A predicate is a small callable `(user, obj) -> bool`, combined with `&`, `|` and `~`, in the
manner of adhocracy4's rules. Every URL rule is bound to an action when it is declared
(`route()`); a request to an endpoint that nobody bound is denied.
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, request
from flask_login import current_user


class Predicate:
    def __init__(self, fn: Callable[[Any, Any], bool], name: str = ""):
        self.fn = fn
        self.name = name or fn.__name__

    def __call__(self, user, obj=None) -> bool:
        return bool(self.fn(user, obj))

    def __and__(self, other: "Predicate") -> "Predicate":
        return Predicate(lambda u, o: self(u, o) and other(u, o), f"({self.name} & {other.name})")

    def __or__(self, other: "Predicate") -> "Predicate":
        return Predicate(lambda u, o: self(u, o) or other(u, o), f"({self.name} | {other.name})")

    def __invert__(self) -> "Predicate":
        return Predicate(lambda u, o: not self(u, o), f"~{self.name}")

    def __repr__(self) -> str:
        return f"<Predicate {self.name}>"


def predicate(fn: Callable[[Any, Any], bool]) -> Predicate:
    return Predicate(fn)


always = Predicate(lambda u, o: True, "always")
is_authenticated = Predicate(lambda u, o: bool(u and u.is_authenticated), "is_authenticated")
is_anonymous = ~is_authenticated
# Logged in and not blocked by the moderators: may post, vote and report.
can_take_part = is_authenticated & Predicate(lambda u, o: not u.is_blocked, "not_blocked")


def has_role(*roles: str) -> Predicate:
    wanted = frozenset(roles)

    def check(user, obj):
        return bool(user and user.is_authenticated and wanted & user.role_names)

    return Predicate(check, "has_role(" + ",".join(sorted(wanted)) + ")")


def role_scope(user, *roles: str) -> frozenset[int] | None:
    """Where a user holds any of `roles`: None for the whole territory, else the ids of the
    communes (empty: nowhere). The one place that reads a grant's scope."""
    if not (user and user.is_authenticated):
        return frozenset()
    communes: set[int] = set()
    for role in roles:
        scope = user.role_scope(role)
        if scope is None:
            return None
        communes |= scope
    return frozenset(communes)


def scope_allows(user, roles: tuple[str, ...], commune_ids) -> bool:
    """Whether a user holds one of `roles` for the whole territory or for one of the
    communes in `commune_ids` (an object about no commune needs the whole territory)."""
    scope = role_scope(user, *roles)
    if scope is None:
        return True
    return bool(scope & {i for i in commune_ids if i is not None})


def has_role_in(*roles: str, communes: Callable[[Any], Any]) -> Predicate:
    """The role for the object's communes: `communes(obj)` gives their ids. With no object
    (a list, a form to fill), any grant of the role passes: the view then narrows the list
    or the choices to the user's scope."""
    wanted = tuple(sorted(roles))

    def check(user, obj):
        if obj is None:
            return role_scope(user, *wanted) != frozenset()
        return scope_allows(user, wanted, communes(obj))

    return Predicate(check, "has_role_in(" + ",".join(wanted) + ")")


_rules: dict[str, Predicate] = {}


def register(action: str, rule: Predicate) -> None:
    if action in _rules and _rules[action] is not rule:
        raise ValueError(f"permission {action!r} registered twice")
    _rules[action] = rule


def rules() -> dict[str, Predicate]:
    return dict(_rules)


def can(user, action: str, obj=None) -> bool:
    rule = _rules.get(action)
    return rule is not None and rule(user, obj)


def require(action: str, obj=None) -> None:
    """Abort unless the current user may do `action` (on `obj`)."""
    if can(current_user, action, obj):
        return
    if not current_user.is_authenticated:
        # Sends anonymous visitors to the login page, back here afterwards.
        abort(current_app.login_manager.unauthorized())
    abort(403)


def route(bp: Blueprint, rule: str, view: Callable, action: str, **options) -> None:
    """Declare a URL rule together with the permission that guards it."""
    endpoint = options.pop("endpoint", view.__name__)
    bp.add_url_rule(rule, endpoint=endpoint, view_func=view, **options)
    bp.record_once(lambda state: state.app.extensions.setdefault("civic_route_actions", {}))
    bp.record(
        lambda state: state.app.extensions["civic_route_actions"].__setitem__(
            f"{state.blueprint.name}.{endpoint}", action
        )
    )


def route_action(endpoint: str | None) -> str | None:
    return current_app.extensions.get("civic_route_actions", {}).get(endpoint)


def guard_request() -> None:
    """before_request: deny any endpoint that has no declared permission."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return  # 404s and vendored assets
    action = route_action(endpoint)
    if action is None:
        abort(403)
    require(action)
