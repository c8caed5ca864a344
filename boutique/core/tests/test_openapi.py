"""The OpenAPI document says what the API really answers (config/openapi.py):
transport errors as problem+json with the shared ProblemOut schema, and links
that name real operations."""

import pytest

from boutique.core.problems import PROBLEM_CONTENT_TYPE
from config.openapi import LINKS

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}


@pytest.fixture(scope="module")
def document():
    from config.api import api

    return api.get_openapi_schema()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _statuses(document, label) -> set[int]:
    return {int(status) for status in dict(_operations(document))[label]["responses"]}


def test_every_error_response_is_problem_json_with_the_shared_schema(document):
    for label, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF}}, (
                    label,
                    status,
                )


def test_signed_in_only_endpoints_document_401_and_403(document):
    assert {401, 403} <= _statuses(document, "GET /api/v1/me/export")


def test_endpoints_open_to_anonymous_callers_do_not_document_401(document):
    statuses = _statuses(document, "GET /api/v1/categories")
    assert 401 not in statuses
    assert 403 in statuses  # an inactive account's token is refused


def test_a_body_and_a_path_object_document_400_404_413_and_422(document):
    assert {400, 404, 413, 422} <= _statuses(document, "PATCH /api/v1/me/children/{child_id}")


def test_endpoints_without_credentials_or_input_document_no_transport_errors(document):
    assert _statuses(document, "GET /api/v1/brands") == {200, 403}
    assert _statuses(document, "POST /api/v1/webhooks/{provider}") == {200, 400, 404, 422}


def test_every_link_names_real_operations_and_a_documented_status(document):
    by_id = {operation["operationId"]: operation for _, operation in _operations(document)}
    assert set(LINKS) <= set(by_id)
    for source, statuses in LINKS.items():
        for status, links in statuses.items():
            assert by_id[source]["responses"][status]["links"] == links
            for link in links.values():
                assert link["operationId"] in by_id, link
