"""The OpenAPI schema validates, for a token or a session; the documentation page is
Swagger UI from our own static files, working under the CSP."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.chromium import sign_in


def test_the_schema_is_valid_openapi_3_without_warnings(db, capsys):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on an invalid schema
    assert schema["openapi"].startswith("3.")
    assert "bearerAuth" in schema["components"]["securitySchemes"]
    assert {"/api/plans/", "/api/cycles/{cycle_id}/units/{unit_id}/rollup/"} <= set(schema["paths"])
    assert "Warning" not in capsys.readouterr().err


def test_the_schema_is_served_to_a_token_and_to_no_one_anonymous(author, api, client):
    answer = api(author).get(reverse("api:schema"), {"format": "json"})
    assert answer.status_code == 200
    assert answer.json()["info"]["title"] == "bankplan API"
    assert client.get(reverse("api:schema")).status_code == 401


def test_the_docs_page_needs_a_log_in_and_has_no_inline_script(author, client):
    assert client.get(reverse("api:docs")).status_code == 302
    client.force_login(author)
    page = client.get(reverse("api:docs")).content.decode()
    assert "<script>" not in page and "<style>" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.usefixtures("cycle")
def test_swagger_ui_renders_the_api_under_the_csp(browser, live_server, author):
    sign_in(browser, live_server, "author")
    browser.get(live_server.url + reverse("api:docs"))
    WebDriverWait(browser, 15).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    )
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/plans/" in {path.replace("\u200b", "") for path in paths}
    refused = [
        entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
    ]
    assert not refused
