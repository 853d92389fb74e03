"""The assistant in the open-data catalogue: monthly totals only, never a question's text."""

from flask_babel import lazy_gettext as _l

from civic.assistant.queries import monthly_rows
from civic.opendata.registry import INT, NUM, STR, Dataset, register


def register_datasets() -> None:
    dataset = Dataset(
        "assistant",
        _l("Questions et demandes des habitants"),
        _l(
            "Par mois : les questions auxquelles l'assistant a répondu ou non, les demandes "
            "transmises à un agent, celles qui ont reçu une réponse, dans le délai annoncé, "
            "et le délai médian. Des totaux seulement, jamais le texte des questions."
        ),
        "monthly",
        [
            ("mois", STR, "Mois (AAAA-MM)"),
            ("questions_repondues", INT, "Questions auxquelles l'assistant a répondu"),
            ("questions_non_comprises", INT, "Questions sans réponse de l'assistant"),
            ("demandes", INT, "Demandes transmises à un agent"),
            ("demandes_repondues", INT, "Demandes qui ont reçu une réponse"),
            ("demandes_dans_le_delai", INT, "Réponses dans le délai annoncé"),
            ("delai_median_jours", NUM, "Délai médian de réponse, en jours"),
        ],
        monthly_rows,
    )
    register(dataset)
