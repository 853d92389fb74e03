"""`flask civic …` speaks one language: French, or English when the environment asks; a wrong
option names the option; an input with nothing to work on exits non-zero and says why."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from civic import cli_i18n
from civic.core.catalogues import french_spacing as fr

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def french(monkeypatch):
    for name in ("CIVIC_LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setenv("CIVIC_LANGUAGE", "en")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "fr"),
        ({"LANG": "C.UTF-8"}, "fr"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8", "CIVIC_LANGUAGE": "fr"}, "fr"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_language_comes_from_the_environment(monkeypatch, environment, expected):
    for name in ("CIVIC_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli_i18n.language() == expected


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["civic", *args])


def test_click_errors_are_french_and_name_the_option(app, french):
    result = invoke(app, "ratings", "import", "README.md", "--source", "x", "--nope")
    assert result.exit_code == 2
    assert (
        fr("Utilisation :") in result.output and fr("Option inconnue : '--nope'") in result.output
    )
    missing = invoke(app, "ratings", "import", "/no/such/file.csv", "--source", "x")
    assert missing.exit_code == 2
    assert (
        fr("Valeur invalide pour PATH : fichier introuvable : /no/such/file.csv") in missing.output
    )


def test_the_same_errors_in_english(app, english):
    result = invoke(app, "ratings", "import", "README.md", "--source", "x", "--map", "foo=bar")
    assert result.exit_code == 2
    assert "Invalid value for --map: unknown field “foo”" in result.output
    unknown = invoke(app, "ratings", "import", "README.md", "--source", "x", "--nope")
    assert "Error: No such option '--nope'." in unknown.output


def test_an_empty_import_exits_non_zero_without_closing_anything(app, french, tmp_path):
    empty = tmp_path / "services.csv"
    empty.write_text("nom;commune\n", encoding="utf-8")
    result = invoke(app, "ratings", "import", str(empty), "--source", "x")
    assert result.exit_code == 1
    assert fr("aucune ligne importable : rien n'est importé") in result.output


def test_role_and_account_errors(app, french, make_user):
    user = make_user()
    bad_role = invoke(app, "accounts", "grant", user.email, "king")
    assert bad_role.exit_code == 2
    assert fr("Valeur invalide pour ROLE : rôles possibles") in bad_role.output
    nobody = invoke(app, "accounts", "grant", "nobody@example.org", "admin")
    assert nobody.exit_code == 1
    assert "aucun compte avec l'adresse nobody@example.org" in nobody.output


def test_selection_without_volunteers_says_so(app, french, tmp_path):
    quotas = tmp_path / "q.csv"
    quotas.write_text("category,value,min,max\ngenre,F,0,2\n", encoding="utf-8")
    people = tmp_path / "p.csv"
    people.write_text("id,genre\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=[
            "civic",
            "workshops",
            "select",
            "--respondents",
            str(people),
            "--quotas",
            str(quotas),
            "--seats",
            "2",
            "--out",
            str(tmp_path / "out.csv"),
        ]
    )
    assert result.exit_code == 1 and "aucun volontaire" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_help_follows_the_language_of_the_environment():
    def help_text(language: str) -> str:
        env = {**os.environ, "CIVIC_LANGUAGE": language, "FLASK_APP": "wsgi"}
        flask = [sys.executable, "-m", "flask", "civic", "ratings", "import", "--help"]
        done = subprocess.run(flask, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    french_help, english_help = help_text("fr"), help_text("en")
    assert (
        fr("Utilisation :") in french_help and "Tout vérifier sans rien enregistrer." in french_help
    )
    assert "Usage:" in english_help and "Check everything without saving anything." in english_help
    assert "Tout vérifier" not in english_help


def test_hostile_command_line_values_are_errors_not_tracebacks(app, french, tmp_path):
    services = tmp_path / "services.csv"
    services.write_text("nom;commune\nPiscine;Labège\n", encoding="utf-8")
    long_source = invoke(app, "ratings", "import", str(services), "--source", "s" * 81)
    assert long_source.exit_code == 2 and "--source" in long_source.output
    assert "Traceback" not in long_source.output
    nul_source = invoke(app, "ratings", "import", str(services), "--source", "a\x00b")
    assert nul_source.exit_code == 2 and "--source" in nul_source.output
    nul_path = invoke(app, "ratings", "import", "a\x00b.csv", "--source", "x")
    assert nul_path.exit_code == 2 and fr("fichier illisible : ab.csv") in nul_path.output
    nul_out = invoke(app, "ratings", "export", "--out", str(tmp_path / "a\x00b"))
    assert nul_out.exit_code == 1 and "écriture impossible" in nul_out.output


def test_analysis_with_nothing_to_work_on_exits_non_zero(app, french, tmp_path):
    votes = tmp_path / "votes.csv"
    votes.write_text("participant,statement,vote\n", encoding="utf-8")
    no_vote = invoke(app, "analysis", "opinions", str(votes), "--out", str(tmp_path / "o.json"))
    assert no_vote.exit_code == 1 and "ne contient aucun vote" in no_vote.output
    texts = tmp_path / "texts.csv"
    texts.write_text("texte,n\n ,1\n", encoding="utf-8")
    no_text = invoke(app, "analysis", "texts", str(texts), "--text-column", "texte", "--out", "-")
    assert no_text.exit_code == 1 and fr("ne contient aucun texte dans « texte »") in no_text.output
    assert not (tmp_path / "o.json").exists()
