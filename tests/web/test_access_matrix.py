"""Every URL rule of the app, for every role: the expected status. A route that is not in
EXPECTED fails the first test, so no route ships without a decided permission."""

import pytest

from tests.conftest import ROLES, log_in

LOGIN = "login"  # a redirect to the login page
ALL = {role: 200 for role in ROLES}
USERS_ONLY = {"anonymous": LOGIN, **{r: 200 for r in ROLES[1:]}}
ADMIN_ONLY = {"anonymous": LOGIN, **{r: 403 for r in ROLES[1:]}, "admin": 200}
ANONYMOUS_FORM = {"anonymous": 200, **{r: 302 for r in ROLES[1:]}}
MANAGERS = {"anonymous": LOGIN, **{r: 403 for r in ROLES[1:]}, "agent": 200, "admin": 200}
MODERATORS = {"anonymous": LOGIN, **{r: 403 for r in ROLES[1:]}, "moderator": 200, "admin": 200}
REVIEWERS = {
    "anonymous": LOGIN,
    **{r: 403 for r in ROLES[1:]},
    "agent": 200,
    "elected": 200,
    "admin": 200,
}
OFFICIALS = {
    "anonymous": LOGIN,
    **{r: 403 for r in ROLES[1:]},
    "agent": 422,
    "elected": 422,
    "admin": 422,
}


FACILITATORS = {
    "anonymous": LOGIN,
    **{r: 403 for r in ROLES[1:]},
    "facilitator": 200,
    "admin": 200,
}
RECRUITERS = {**FACILITATORS, "agent": 200}
STAFF = {**RECRUITERS, "elected": 200}


PUBLISHERS = ("agent", "elected", "facilitator", "admin")


def facilitators(status: int) -> dict:
    return {**FACILITATORS, "facilitator": status, "admin": status}


def managers(status: int) -> dict:
    return {**MANAGERS, "agent": status, "admin": status}


def post_only(ok: int) -> dict:
    return {"anonymous": LOGIN, **{r: ok for r in ROLES[1:]}}


def assistant_staff(status: int) -> dict:
    return {**RECRUITERS, "agent": status, "facilitator": status, "admin": status}


# endpoint -> (method, expected status per role[, form data])
EXPECTED = {
    "pages.home": ("GET", ALL),
    "pages.identity_css": ("GET", ALL),
    "pages.accessibility": ("GET", ALL),
    "pages.legal_notice": ("GET", ALL),
    "pages.privacy": ("GET", ALL),
    "pages.charter": ("GET", ALL),
    "pages.set_language": ("POST", {r: 303 for r in ROLES}),
    "territory.index": ("GET", ALL),
    "territory.show": ("GET", ALL),
    "territory.follow": ("POST", post_only(303)),
    "consultations.index": ("GET", ALL),
    "documents.show": ("GET", ALL),
    "documents.show_version": ("GET", ALL),
    # The draft has one version: there is nothing to compare it with.
    "documents.compare": ("GET", {r: 404 for r in ROLES}),
    "documents.answers": ("GET", ALL),
    "documents.analysis": ("GET", ALL),
    "documents.show_item": ("GET", ALL),
    "documents.react": ("POST", post_only(422)),
    "documents.amend": ("GET", USERS_ONLY),
    "documents.answer_item": ("POST", OFFICIALS),
    "documents.show_amendment": ("GET", ALL),
    "documents.vote": ("POST", post_only(303), {"vote": "for"}),
    "documents.decide": ("POST", OFFICIALS),
    "documents.mine": ("GET", USERS_ONLY),
    "documents.manage": ("GET", MANAGERS),
    "documents.new_version": ("GET", MANAGERS),
    "workshops.index": ("GET", ALL),
    "workshops.agenda_ics": ("GET", ALL),
    "workshops.show": ("GET", ALL),
    "workshops.cover": ("GET", {r: 404 for r in ROLES}),
    "workshops.volunteer": ("GET", USERS_ONLY),
    "workshops.withdraw": ("POST", post_only(303)),
    # No draw is published yet: only the facilitators see the (empty) audit page.
    "events.index": ("GET", ALL),
    "events.agenda_ics": ("GET", ALL),
    "events.show": ("GET", ALL),
    "events.event_ics": ("GET", ALL),
    # Without a name and an address the form comes back with its errors.
    "events.register": ("POST", {r: 422 for r in ROLES}),
    # No report yet: only those who manage the event see the draft.
    "events.report": ("GET", {**{r: 404 for r in ROLES}, **{r: 200 for r in PUBLISHERS}}),
    "events.registration": ("GET", {r: 404 for r in ROLES}),
    "events.confirm_registration": ("POST", {r: 404 for r in ROLES}),
    "events.cancel_registration": ("POST", {r: 404 for r in ROLES}),
    "events.manage_index": ("GET", STAFF),
    "events.create": ("GET", STAFF),
    "events.import_events": ("GET", {**STAFF, "elected": 403}),
    "events.edit": ("GET", STAFF),
    "events.publish": ("POST", {**STAFF, **{r: 303 for r in PUBLISHERS}}),
    "events.cancel": ("GET", STAFF),
    "events.registrations": ("GET", STAFF),
    "events.attendance_sheet": ("GET", STAFF),
    "events.attendance": ("POST", {**STAFF, **{r: 303 for r in PUBLISHERS}}),
    "events.edit_report": ("GET", STAFF),
    # The event has no cover image nor document yet.
    "events.cover": ("GET", {r: 404 for r in ROLES}),
    "events.document": ("GET", {r: 404 for r in ROLES}),
    "events.set_cover": ("POST", {**STAFF, **{r: 422 for r in PUBLISHERS}}),
    "events.remove_cover": ("POST", {**STAFF, **{r: 303 for r in PUBLISHERS}}),
    "events.add_document": ("POST", {**STAFF, **{r: 422 for r in PUBLISHERS}}),
    "events.remove_document": ("POST", {**STAFF, **{r: 404 for r in PUBLISHERS}}),
    # Not linked to a consultation: back to the event's page.
    "events.contributions": ("GET", {**STAFF, **{r: 303 for r in PUBLISHERS}}),
    "workshops.selection_audit": (
        "GET",
        {**{r: 404 for r in ROLES}, "facilitator": 200, "admin": 200},
    ),
    "workshops.invitation": ("GET", {r: 404 for r in ROLES}),
    "workshops.platform_dashboard": ("GET", STAFF),
    "workshops.workshop_dashboard": ("GET", STAFF),
    "workshops.consultation_dashboard": ("GET", STAFF),
    "workshops.manage_index": ("GET", RECRUITERS),
    "workshops.create": ("GET", FACILITATORS),
    "workshops.edit": ("GET", FACILITATORS),
    "workshops.publish": ("POST", facilitators(303), {"publish": "1"}),
    "workshops.quotas": ("GET", FACILITATORS),
    "workshops.check_quotas": ("POST", FACILITATORS),
    "workshops.volunteers": ("GET", RECRUITERS),
    "workshops.enter_volunteer": ("GET", RECRUITERS),
    # Not invited: the answer is refused with a message, back to the list.
    "workshops.record_answer": (
        "POST",
        {**RECRUITERS, "agent": 303, "facilitator": 303, "admin": 303},
    ),
    "workshops.letters": ("GET", RECRUITERS),
    "workshops.selections": ("GET", FACILITATORS),
    "workshops.show_selection": ("GET", FACILITATORS),
    # The run is not finished: refused with a message.
    "workshops.publish_selection": ("POST", facilitators(303)),
    "workshops.table": ("GET", FACILITATORS),
    "workshops.attendance": ("POST", facilitators(303)),
    # The board is for the table and its facilitators; nobody sits at this one.
    "workshops.board": ("GET", FACILITATORS),
    "workshops.post_note": ("POST", facilitators(422)),
    "workshops.ballot": ("GET", post_only(403)),
    # The minutes are not published yet: the facilitators preview them.
    "workshops.minutes": ("GET", FACILITATORS),
    "workshops.add_theme": ("POST", facilitators(422)),
    "workshops.assign_note": ("POST", facilitators(303)),
    "workshops.manage_vote": ("POST", facilitators(303)),
    "workshops.paper_ballot": ("GET", FACILITATORS),
    "workshops.edit_minutes": ("GET", FACILITATORS),
    "ratings.index": ("GET", ALL),
    "accounts.register": ("GET", ANONYMOUS_FORM),
    "accounts.check_email": ("GET", ALL),
    "accounts.confirm_email": ("GET", ALL),
    "accounts.resend_confirmation": ("GET", ALL),
    "accounts.login": ("GET", ALL),
    "accounts.logout": ("POST", post_only(303)),
    "accounts.forgot_password": ("GET", ALL),
    # An invalid token sends back to the form that asks for a new one.
    "accounts.reset_password": ("GET", {r: 303 for r in ROLES}),
    "accounts.profile": ("GET", USERS_ONLY),
    "accounts.clear_profile": ("POST", post_only(303)),
    "accounts.change_password": ("GET", USERS_ONLY),
    "accounts.personal_data": ("GET", USERS_ONLY),
    "accounts.export_data": ("GET", USERS_ONLY),
    "accounts.delete_account": ("GET", USERS_ONLY),
    "accounts.notifications": ("GET", USERS_ONLY),
    "accounts.mail_preferences": ("GET", USERS_ONLY),
    # The matrix's token is not a signed unsubscribe link: nobody is unsubscribed.
    "accounts.unsubscribe": ("GET", {r: 404 for r in ROLES}),
    "accounts.mark_notifications_read": ("POST", post_only(303)),
    "accounts.users": ("GET", ADMIN_ONLY),
    "accounts.edit_user": ("GET", ADMIN_ONLY),
    "accounts.audit_log": ("GET", ADMIN_ONLY),
    "accounts.outbox": ("GET", ADMIN_ONLY),
    "accounts.outbox_email": ("GET", ADMIN_ONLY),
    "consultations.feed": ("GET", ALL),
    "consultations.show": ("GET", ALL),
    "consultations.proposals": ("GET", ALL),
    "consultations.similar": ("GET", ALL),
    "consultations.new_proposal": ("GET", USERS_ONLY),
    "consultations.show_proposal": ("GET", ALL),
    # The proposal belongs to someone else.
    "consultations.edit_proposal": ("GET", post_only(403)),
    "consultations.withdraw_proposal": ("POST", post_only(403)),
    "consultations.vote": ("POST", post_only(303), {"vote": "agree"}),
    "consultations.comment": ("POST", post_only(422)),
    "consultations.answer": ("POST", OFFICIALS),
    "consultations.add_milestone": ("POST", OFFICIALS),
    "consultations.follow": ("POST", post_only(303), {"frequency": "daily"}),
    "consultations.followup": ("GET", ALL),
    "consultations.document": ("GET", ALL),
    "consultations.cover": ("GET", {r: 404 for r in ROLES}),
    "consultations.my_contributions": ("GET", USERS_ONLY),
    "consultations.glossary": ("GET", ALL),
    "consultations.manage": ("GET", MANAGERS),
    "consultations.new_consultation": ("GET", MANAGERS),
    "consultations.edit_consultation": ("GET", MANAGERS),
    "consultations.publish": ("POST", managers(303), {"publish": "1"}),
    "consultations.add_phase": ("POST", managers(422)),
    "consultations.remove_phase": ("POST", managers(303)),
    "consultations.add_document": ("POST", managers(422)),
    "consultations.enter_contribution": ("GET", MANAGERS),
    # The matrix's proposal was posted online: it has no paper receipt.
    "consultations.contribution_receipt": ("GET", {**MANAGERS, "agent": 404, "admin": 404}),
    "consultations.answer_letters": ("GET", MANAGERS),
    "consultations.manage_glossary": ("GET", MANAGERS),
    "consultations.delete_term": ("POST", managers(303)),
    "ratings.ranking": ("GET", ALL),
    "ratings.map_data": ("GET", ALL),
    "ratings.show": ("GET", ALL),
    "ratings.picture": ("GET", {r: 404 for r in ROLES}),
    # The agent of the matrix answers for no service: only the administrator sets pictures.
    "ratings.set_picture": ("GET", {**MANAGERS, "agent": 403}),
    "ratings.remove_picture": ("POST", {**MANAGERS, "agent": 403, "admin": 303}),
    "ratings.rate": ("GET", USERS_ONLY),
    # Answers are for the agent responsible for the service (none is, here).
    "ratings.answer": ("POST", {**MANAGERS, "agent": 403, "admin": 303}),
    "ratings.import_services": ("GET", MANAGERS),
    "ratings.propose_from_service": ("GET", MANAGERS),
    "ratings.unfreeze": ("POST", managers(303)),
    "analysis.runs": ("GET", REVIEWERS),
    "analysis.show_run": ("GET", REVIEWERS),
    "analysis.rename": ("POST", managers(303)),
    "analysis.merge": ("POST", managers(303)),
    "analysis.validate": ("POST", managers(303)),
    "analysis.split": ("POST", managers(303)),
    "analysis.move": ("POST", managers(303)),
    "analysis.decide": ("POST", OFFICIALS),  # an empty form is refused on the page
    "analysis.publish": ("POST", {**REVIEWERS, "agent": 303, "elected": 303, "admin": 303}),
    # Before the decision is published, the report is for those who prepare it.
    "analysis.report": (
        "GET",
        {**{r: 404 for r in ROLES}, "agent": 200, "elected": 200, "admin": 200},
    ),
    "analysis.report_csv": (
        "GET",
        {**{r: 404 for r in ROLES}, "agent": 200, "elected": 200, "admin": 200},
    ),
    "analysis.report_pdf": (
        "GET",
        {**{r: 404 for r in ROLES}, "agent": 200, "elected": 200, "admin": 200},
    ),
    "analysis.restitution": ("GET", USERS_ONLY),
    "analysis.position": ("GET", USERS_ONLY),
    "answers.waiting": ("GET", REVIEWERS),
    "answers.signature": ("POST", {**REVIEWERS, "agent": 303, "elected": 303, "admin": 303}),
    # Without htmx, the form alone sends back to the proposal page.
    "answers.answer_form": ("GET", {**REVIEWERS, "agent": 303, "elected": 303, "admin": 303}),
    "answers.validate_draft": (
        "POST",
        {**REVIEWERS, "agent": 303, "elected": 303, "admin": 303},
    ),
    "answers.settings": ("GET", REVIEWERS),
    "answers.add_template": ("POST", {**REVIEWERS, "agent": 303, "elected": 303, "admin": 303}),
    "answers.delete_template": (
        "POST",
        {**REVIEWERS, "agent": 303, "elected": 303, "admin": 303},
    ),
    "answers.policy": ("POST", {**REVIEWERS, "agent": 303, "elected": 303, "admin": 303}),
    "opendata.index": ("GET", ALL),
    "opendata.catalogue": ("GET", ALL),
    "opendata.download": ("GET", ALL),
    "opendata.api_docs": ("GET", ALL),
    "opendata.api_spec": ("GET", ALL),
    "opendata.api_list": ("GET", ALL),
    "moderation.report": ("GET", USERS_ONLY),
    "moderation.public_log": ("GET", ALL),
    # The case is about someone else's contribution.
    "moderation.appeal": ("GET", post_only(403)),
    "moderation.queue": ("GET", MODERATORS),
    "moderation.bulk_decide": ("POST", {**MODERATORS, "moderator": 303, "admin": 303}),
    "moderation.show_case": ("GET", MODERATORS),
    "moderation.claim_case": ("POST", {**MODERATORS, "moderator": 303, "admin": 303}),
    "moderation.blocks": ("GET", MODERATORS),
    "moderation.lift_block": ("POST", {**MODERATORS, "moderator": 403, "admin": 303}),
    "assistant.ask": ("GET", ALL),
    "assistant.new_request": ("GET", ALL),
    "assistant.find_request": ("GET", ALL),
    "assistant.status": ("GET", ALL),
    "assistant.help_index": ("GET", ALL),
    "assistant.help_page": ("GET", ALL),
    "assistant.manage_requests": ("GET", RECRUITERS),
    "assistant.enter_request": ("GET", RECRUITERS),
    "assistant.manage_request": ("GET", RECRUITERS),
    "assistant.take_request": ("POST", assistant_staff(303)),
    "assistant.route_request": ("POST", assistant_staff(303)),
    # An empty answer is refused; the letter and the help page need an answer first.
    "assistant.answer_request": ("POST", assistant_staff(422)),
    "assistant.letter": ("GET", assistant_staff(404)),
    "assistant.reuse_answer": ("POST", assistant_staff(409)),
    "assistant.erase_request": ("POST", assistant_staff(303)),
    "assistant.review": ("GET", RECRUITERS),
    "assistant.add_example": ("POST", assistant_staff(303)),
    "assistant.dismiss": ("POST", assistant_staff(303)),
    "assistant.manage_help": ("GET", RECRUITERS),
    "assistant.new_help": ("GET", RECRUITERS),
    "assistant.edit_help": ("GET", RECRUITERS),
}


def app_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def test_every_route_has_an_expectation(app):
    assert app_endpoints(app) == set(EXPECTED)


def test_every_route_has_a_declared_permission(app):
    declared = app.extensions["civic_route_actions"]
    assert app_endpoints(app) <= set(declared)


def build_url(app, endpoint: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{arg: values[arg] for arg in rule.arguments})


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(app, client, make_user, url_values, role):
    if role != "anonymous":
        log_in(client, make_user(role))
    failures = []
    for endpoint, (method, expected, *data) in sorted(EXPECTED.items()):
        url = build_url(app, endpoint, url_values)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=data[0] if data else {})
        want = expected[role]
        got = response.status_code
        if want == LOGIN:
            ok = got == 302 and "/compte/connexion" in response.headers["Location"]
        else:
            ok = got == want
        if not ok:
            failures.append(f"{method} {url}: expected {want}, got {got}")
        if endpoint == "accounts.logout" and role != "anonymous":
            log_in(client, make_user(role))  # logging out ended the session: start another
    assert not failures, "\n".join(failures)


def test_unbound_route_is_denied(app):
    """A view added without declaring its permission answers 403, for everyone."""
    from flask import Flask

    from civic import create_app
    from tests.conftest import app_config

    other = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert isinstance(other, Flask)
    response = other.test_client().get("/forgotten")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)
