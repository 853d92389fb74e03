"""The intent classifier: TF-IDF on characters and words, then a linear SVM.

Trained on the questions the team writes and reviews (`data/training.csv`, plus the examples
staff add from real questions), in a second or two, into one file built by `make`. Pure: no
Flask, no database. `python -m civic.assistant.classifier` builds the file.
"""

import csv
import sys
import time
from pathlib import Path

import joblib
from sklearn import config_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

from civic.assistant.recognition import INTENTS, masked

HERE = Path(__file__).parent
TRAINING = HERE / "data" / "training.csv"
MODEL = HERE / "data" / "intent_model.joblib"
TERRITORY = HERE.parent / "territory" / "data" / "sicoval_postcodes.csv"
# Below this margin the classifier is not sure enough: the question is "not understood".
MIN_MARGIN = -0.35


def territory_communes() -> tuple[str, ...]:
    """The communes of the territory's reference file, for training without a database."""
    with TERRITORY.open(encoding="utf-8") as f:
        return tuple(row["nom"] for row in csv.DictReader(f))


def read_examples(path: Path = TRAINING) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [(row["question"], row["intent"]) for row in csv.DictReader(f)]
    unknown = {intent for _q, intent in rows} - set(INTENTS)
    if unknown:
        raise ValueError(f"unknown intents in {path}: {sorted(unknown)}")
    return rows


def train(examples: list[tuple[str, str]], communes: tuple[str, ...]):
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
        ]
    )
    model = make_pipeline(features, LinearSVC(C=0.8, class_weight="balanced"))
    model.fit([masked(q, communes) for q, _ in examples], [intent for _, intent in examples])
    return model


def predict(model, question: str, communes: tuple[str, ...]) -> tuple[str, float]:
    """The intent and the classifier's margin for it; "unknown" when the margin is too low."""
    # Our own text in, our own model: sklearn's input checks only cost time here.
    with config_context(assume_finite=True, skip_parameter_validation=True):
        scores = model.decision_function([masked(question, communes)])[0]
    best = int(scores.argmax())
    intent = str(model.classes_[best])
    if scores[best] < MIN_MARGIN:
        return "unknown", float(scores[best])
    return intent, float(scores[best])


def save(model, path: Path | None = None) -> None:
    path = path or MODEL
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)


def load(path: Path | None = None):
    # Our own file, built by `make` from the repository's examples: never a downloaded one.
    return joblib.load(path or MODEL)  # nosec B301


def main() -> int:
    started = time.perf_counter()
    examples = read_examples()
    model = train(examples, territory_communes())
    save(model)
    print(f"{MODEL}: {len(examples)} examples, {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
