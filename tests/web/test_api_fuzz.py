"""The open-data API fuzzed against its own OpenAPI file (schemathesis), on real data.

Each operation of /api/v1/openapi.json gets valid and invalid queries, generated from the file
and replayed identically on every run (derandomized, no example database); every answer must
be documented: no 5xx, a documented status, content type, headers and body.

schemathesis.pytest.from_fixture() does not run under pytest 9.2 (it sets a private attribute
of the test item that pytest renamed), so the schema is loaded from the app inside each test
and its strategies are driven by Hypothesis directly.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from civic.opendata import registry
from tests.web.test_opendata import PUBLISHED, seed

EXAMPLES = 30  # per operation and per mode: about 540 requests in all
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]
# Valid data may still answer a documented 400 (a cursor is any string to the schema, but only
# the "next" links are valid ones), so positive_data_acceptance is left out.
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}}}
)


@pytest.fixture
def api(app, client, climate, make_user, db):
    """The API's own description, served by the app, over a database with rows everywhere."""
    seed(app, climate, make_user, db)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)


def test_the_file_describes_every_dataset_and_only_them(api):
    operations = {(op.ok().method.upper(), op.ok().path) for op in api.get_all_operations()}
    assert operations == {("GET", f"/api/v1/{name}") for name in PUBLISHED}


@pytest.mark.parametrize("name", PUBLISHED)
def test_api_answers_as_its_openapi_file_says(api, client, name):
    operation = api[f"/api/v1/{name}"]["GET"]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    seen = {}

    @given(case=cases)
    @settings(
        max_examples=2 * EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case):
        # The app's test client, so that each request starts with an empty `g`.
        response = case.call_and_validate(session=client)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1

    check()
    # Both kinds of answers were exercised: pages of data, and documented errors.
    assert seen.get(200) and seen.get(400), seen


INVALID = [
    {"limit": "0"},
    {"limit": "501"},
    {"limit": "²"},
    {"limit": "1e3"},
    {"limit": ""},
    {"limit": "99999999999999999999999"},
    {"consultation": "0"},
    {"consultation": "-1"},
    {"consultation": "99999999999999999999"},
    {"consultation": "٣"},
    {"since": "hier"},
    {"since": "2026-13-01T00:00:00Z"},
    {"since": "0001-01-01T00:00:00+23:59"},
    {"since": "9999-12-31T23:59:59-23:59"},
    {"since": "2026-01-01T00:00:00"},
    {"cursor": "%%%"},
    {"cursor": "MQ"},
    {"cursor": "LTE="},  # "-1"
    {"cursor": "w6k="},  # "é"
    {"cursor": "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="},  # 28 digits
]
VALID = [
    {"limit": "1"},
    {"limit": "500"},
    {"cursor": ""},
    {"cursor": "OTk5OTk5OTk5"},  # after every row
    {"consultation": "2147483647"},
    {"since": "2026-01-01"},
    {"since": "2026-01-01t00:00:00.123456789z"},
    {"since": "2016-12-31T23:59:60Z"},  # a leap second
    {"since": "0001-01-01T00:00:00Z"},
]


def test_edge_values_answer_a_page_or_a_documented_400(api, client):
    """Values that once answered 500, or that the fuzzer may not reach: all datasets."""
    for d in registry.datasets():
        operation = api[f"/api/v1/{d.name}"]["GET"]
        for query in INVALID + VALID:
            if set(query) - {"limit", "cursor"} - set(d.filters):
                continue  # a filter the dataset does not know: see the next test
            response = client.get(f"/api/v1/{d.name}", query_string=query)
            expected = 200 if query in VALID else 400
            assert response.status_code == expected, (d.name, query, response.get_json())
            if expected == 400:
                assert response.get_json()["error"]
            operation.Case(query=query).validate_response(response)


def test_filters_a_dataset_does_not_know_are_refused(api, client):
    response = client.get("/api/v1/avis-services", query_string={"consultation": "1"})
    assert response.status_code == 400
    assert "consultation" in response.get_json()["error"]
    api["/api/v1/avis-services"]["GET"].Case(query={"consultation": "1"}).validate_response(
        response
    )


def test_rate_limited_answer_is_documented(api, client, limit):
    limit("CIVIC_API_LIMIT", "1 per minute")
    operation = api["/api/v1/concertations"]["GET"]
    assert client.get("/api/v1/concertations").status_code == 200
    response = client.get("/api/v1/concertations")
    assert response.status_code == 429 and response.get_json()["error"]
    assert response.headers["Retry-After"]
    operation.Case().validate_response(response)
