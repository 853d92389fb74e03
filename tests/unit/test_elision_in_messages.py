"""Messages built in Python, not in templates, elide too: "Mairie d'Ayguesvives"."""

from types import SimpleNamespace

from flask_babel import force_locale

from civic.answers.services import signature_of


def _official(role: str, commune_id: int):
    scopes = {role: {commune_id}}
    return SimpleNamespace(id=2**31 - 1, role_scope=lambda name: scopes.get(name))


def test_a_commune_scoped_signature_is_elided(app, db):
    proposal = SimpleNamespace(commune=SimpleNamespace(name="Ayguesvives"), commune_id=7)
    with app.test_request_context("/"), force_locale("fr"):
        assert signature_of(_official("agent", 7), proposal) == "Mairie d'Ayguesvives"
        assert signature_of(_official("elected", 7), proposal) == "Élu d'Ayguesvives"
        proposal.commune.name = "Labège"
        assert signature_of(_official("agent", 7), proposal) == "Mairie de Labège"
