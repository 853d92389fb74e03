"""The OpenAPI 3.1 description of the read-only API, built from the datasets themselves.

tests/web/test_api_fuzz.py fuzzes the API against this very document: every answer the API can
give (status, content type, body, headers) must be described here.
"""

from civic.core.identity import authority
from civic.opendata import registry
from civic.opendata.registry import Dataset

MAX_LIMIT = 500
MAX_ID = 2**31 - 1  # PostgreSQL's integer

JSON_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "datetime": "string",
    "boolean": "boolean",
    "yearmonth": "string",
}
FORMATS = {"datetime": {"format": "date-time"}, "yearmonth": {"pattern": "^[0-9]{4}-[0-9]{2}$"}}
CORS = {
    "Access-Control-Allow-Origin": {
        "description": "Toute origine peut lire l'API (CORS, lecture seule).",
        "required": True,
        "schema": {"type": "string", "const": "*"},
    }
}


def _schema(dataset: Dataset) -> dict:
    properties = {}
    for name, kind, description in dataset.fields:
        prop = {"type": [JSON_TYPES[kind], "null"], "description": description}
        prop.update(FORMATS.get(kind, {}))
        properties[name] = prop
    if dataset.key:
        properties[dataset.key]["type"] = "integer"
    return {
        "type": "object",
        "properties": properties,
        "required": dataset.field_names,
        "additionalProperties": False,
    }


def _parameters(dataset: Dataset) -> list[dict]:
    parameters = [
        {
            "name": "limit",
            "in": "query",
            "description": "Nombre de lignes par page.",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100},
        },
        {
            "name": "cursor",
            "in": "query",
            "description": "Valeur opaque donnée par le lien « next » de la page précédente.",
            "schema": {"type": "string"},
        },
    ]
    if dataset.by_consultation:
        parameters.append(
            {
                "name": "consultation",
                "in": "query",
                "description": "Identifiant d'une concertation : ses seules lignes.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }
        )
    if dataset.since:
        parameters.append(
            {
                "name": "since",
                "in": "query",
                "description": (
                    f"Les seules lignes dont « {dataset.since} » est postérieur ou égal à cette "
                    "date-heure (RFC 3339), ou à minuit (heure de Paris) de cette date."
                ),
                "schema": {
                    "anyOf": [
                        {"type": "string", "format": "date-time"},
                        {"type": "string", "format": "date"},
                    ]
                },
            }
        )
    return parameters


def _error(description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "headers": {**CORS, **(headers or {})},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return response


def openapi() -> dict:
    paths, schemas = {}, {}
    for d in registry.datasets():
        schemas[d.name] = _schema(d)
        paths[f"/api/v1/{d.name}"] = {
            "get": {
                "summary": str(d.title),
                "description": str(d.description),
                "operationId": f"list_{d.name.replace('-', '_')}",
                "parameters": _parameters(d),
                "responses": {
                    "200": {
                        "description": "Une page de résultats",
                        "headers": CORS,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["data", "next"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "data": {
                                            "type": "array",
                                            "maxItems": MAX_LIMIT,
                                            "items": {"$ref": f"#/components/schemas/{d.name}"},
                                        },
                                        "next": {
                                            "description": "Adresse de la page suivante, "
                                            "ou null sur la dernière page.",
                                            "type": ["string", "null"],
                                            "format": "uri",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": _error(
                        "Paramètre incorrect : limite, curseur ou filtre invalide, ou filtre "
                        "que ce jeu de données ne connaît pas."
                    ),
                    "429": _error(
                        "Trop de requêtes depuis cette adresse.",
                        {
                            "Retry-After": {
                                "description": "Secondes à attendre avant de réessayer.",
                                "schema": {"type": "integer", "minimum": 0},
                            }
                        },
                    ),
                },
            }
        }
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {"error": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"API des données ouvertes de Civic ({authority().name})",
            "version": "1.0.0",
            "description": (
                "Les données publiques de la participation, anonymisées : aucune identité "
                "d'auteur, aucun contenu masqué, aucune concertation en brouillon, jamais qui "
                "a voté quoi. En lecture seule, sans authentification, paginée par curseur."
            ),
            "license": {"name": "Licence Ouverte 2.0", "identifier": "etalab-2.0"},
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
