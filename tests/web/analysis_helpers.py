"""Contributions and runs shared by the analysis and answers tests."""

from civic.consultations import services as consultations

THEMES = {
    "vélo": [
        "Des pistes cyclables sécurisées entre les communes",
        "Plus de pistes cyclables pour aller au collège à vélo",
        "Des parkings à vélo sécurisés près des arrêts de bus",
        "Relier les villages par des pistes cyclables",
    ],
    "arbres": [
        "Planter des arbres dans les cours d'école pour l'ombre",
        "Des arbres le long des rues pour rafraîchir la ville",
        "Planter des haies et des arbres dans les parcs",
        "Un arbre planté pour chaque enfant né dans la commune",
    ],
}


def seed(app, climate, make_user):
    people = [make_user() for _ in range(4)]
    with app.test_request_context():
        for texts in THEMES.values():
            for i, text_ in enumerate(texts):
                consultations.submit_proposal(
                    people[i],
                    climate["consultation"],
                    title=text_,
                    body=text_ + ".",
                    theme="",
                    commune_id=None,
                )
    return people


def start_run(client, climate, k=2):
    url = f"/gestion/concertations/{climate['consultation'].id}/analyses"
    response = client.post(url, data={"k": str(k), "seed": "7"})
    assert response.status_code == 303
    return response.headers["Location"]
