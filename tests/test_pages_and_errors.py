"""Plain-words error pages, the public pages, and the language switcher."""

from __future__ import annotations

import pytest

from portal.i18n import safe_return_path, text_direction
from tests import factories


@pytest.mark.parametrize("path", ["/", "/accessibility", "/privacy", "/cookies", "/sign-in"])
def test_public_pages_answer_in_english_by_default(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr"' in response.get_data(as_text=True)


def test_language_switcher_sets_welsh_and_returns_to_the_page(client):
    response = client.get("/language/cy?next=/privacy")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/privacy")
    page = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="cy" dir="ltr"' in page


def test_language_switcher_never_redirects_to_another_site(client):
    for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        response = client.get("/language/cy", query_string={"next": target})
        assert response.headers["Location"] in ("/", "http://localhost/")


def test_unknown_language_is_ignored(client):
    client.get("/language/xx?next=/")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_right_to_left_scripts():
    assert text_direction("ar") == "rtl"
    assert text_direction("ur") == "rtl"
    assert text_direction("cy") == "ltr"
    assert safe_return_path("/booklet?x=1") == "/booklet?x=1"
    assert safe_return_path(None) == "/"


def test_404_is_in_plain_words_with_the_service_phone(client):
    factories.authority()
    from portal.extensions import db

    db.session.commit()
    response = client.get("/no-such-page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Page not found" in text and "0100 000 0000" in text


def test_405_in_plain_words(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "That did not work" in response.get_data(as_text=True)


def test_413_too_big_is_friendly(client):
    response = client.post("/sign-in", data={"email": "x" * (4 * 1024 * 1024)})
    assert response.status_code == 413
    assert "That was too big to send" in response.get_data(as_text=True)


def test_csrf_failure_is_explained(client):
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x"},
                           headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 400
    assert "This page timed out" in response.get_data(as_text=True)


def test_500_says_sorry_and_that_saved_work_is_safe(app, client):
    @app.get("/explode-for-test")
    def explode():
        raise RuntimeError("boom")

    response = client.get("/explode-for-test")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_govuk_assets_are_served_and_fonts_are_not_used(client):
    for path, status in (("/assets/govuk-frontend.min.css", 200), ("/assets/govuk-frontend.min.js", 200),
                         ("/assets/../portal/config.py", 404), ("/assets/images/govuk-crest.svg", 404)):
        with client.get(path) as response:
            assert response.status_code == status, path
    with client.get("/static/css/portal.css") as response:
        own_css = response.get_data(as_text=True)
    assert "system-ui" in own_css


def test_static_files_are_compressed_and_closed(client):
    """Browsers ask for Brotli; the file must be compressed whole and closed (no ResourceWarning)."""
    with client.get("/assets/govuk-frontend.min.css", headers={"Accept-Encoding": "br, gzip"}) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert int(response.headers["Content-Length"]) < 20_000
    with client.get("/static/js/booklet.js", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
