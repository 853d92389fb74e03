"""The OpenAPI 3.1 description of the read-only API, built from the datasets themselves."""

from civic.opendata.datasets import DATASETS

JSON_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "datetime": "string",
    "boolean": "boolean",
    "yearmonth": "string",
}


def _schema(dataset) -> dict:
    properties = {}
    for name, kind, description in dataset.fields:
        prop = {"type": [JSON_TYPES[kind], "null"], "description": description}
        if kind == "datetime":
            prop["format"] = "date-time"
        properties[name] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": dataset.field_names,
        "additionalProperties": False,
    }


def openapi() -> dict:
    paths, schemas = {}, {}
    error = {
        "description": "Requête incorrecte",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for d in DATASETS:
        schemas[d.name] = _schema(d)
        paths[f"/api/v1/{d.name}"] = {
            "get": {
                "summary": str(d.title),
                "description": str(d.description),
                "operationId": f"list_{d.name.replace('-', '_')}",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "La valeur donnée par « next » de la page précédente.",
                    },
                    {"name": "consultation", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "since",
                        "in": "query",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "Une page de résultats",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["data", "next"],
                                    "properties": {
                                        "data": {
                                            "type": "array",
                                            "items": {"$ref": f"#/components/schemas/{d.name}"},
                                        },
                                        "next": {"type": ["string", "null"]},
                                    },
                                }
                            }
                        },
                    },
                    "400": error,
                    "429": {"description": "Trop de requêtes"},
                },
            }
        }
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API des données ouvertes de Civic (Sicoval)",
            "version": "1.0.0",
            "license": {"name": "Licence Ouverte 2.0", "identifier": "etalab-2.0"},
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
