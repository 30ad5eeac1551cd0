"""The shared pictures: the vocabulary, the build from npm's Iconify JSON, and the route that serves them."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ElementTree

import pytest

from portal import pictures
from portal.pictures import ICONIFY_JSON, VOCABULARY, build, picture_url

SVG = "{http://www.w3.org/2000/svg}svg"


def test_every_picture_of_the_vocabulary_is_in_the_installed_set():
    icons = json.loads(ICONIFY_JSON.read_text(encoding="utf-8"))
    known = set(icons["icons"]) | set(icons.get("aliases", {}))
    assert not [name for name in VOCABULARY.values() if name not in known]
    assert len(VOCABULARY) >= 30


def test_build_writes_standalone_svgs(tmp_path):
    keys = build(tmp_path)
    assert set(keys) == set(VOCABULARY)
    for key in keys:
        svg = (tmp_path / f"{key}.svg").read_text(encoding="utf-8")
        root = ElementTree.fromstring(svg)
        assert root.tag == SVG and root.get("viewBox") == "0 0 32 32"
        assert "<script" not in svg and "href=\"http" not in svg
        assert len(svg) < 6000
    assert not list(tmp_path.glob(".*.part"))


def test_build_refuses_a_set_without_a_picture_it_needs(tmp_path):
    source = tmp_path / "icons.json"
    source.write_text(json.dumps({"prefix": "x", "icons": {"house": {"body": "<path/>"}}}), encoding="utf-8")
    with pytest.raises(LookupError, match="no icon named"):
        build(tmp_path / "out", source)


def test_the_route_serves_a_versioned_picture_cached_for_a_year(app, client):
    with app.test_request_context():
        url = picture_url("family")
    assert url.startswith("/pictures/family.svg?v=")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert ElementTree.fromstring(response.get_data()).tag == SVG
    # Without the version the address may change meaning: a short cache only.
    assert "immutable" not in client.get("/pictures/family.svg").headers["Cache-Control"]


@pytest.mark.parametrize("key", ["nothing", "FAMILY", "..%2Fportal", "family.svg"])
def test_unknown_pictures_are_404(client, key):
    assert client.get(f"/pictures/{key}.svg").status_code == 404


def test_a_missing_picture_is_built_on_first_request_and_said_in_the_log(app, client, tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    pictures._hashes.clear()
    with caplog.at_level(logging.WARNING, logger="portal.pictures"):
        response = client.get("/pictures/school.svg")
    assert response.status_code == 200
    assert (tmp_path / "instance" / "pictures" / "school.svg").is_file()
    assert any("was not built" in record.getMessage() for record in caplog.records)


def test_a_picture_that_cannot_be_built_is_404_never_500(app, client, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    monkeypatch.setattr(pictures, "ICONIFY_JSON", tmp_path / "missing.json")
    assert client.get("/pictures/school.svg").status_code == 404


def test_unknown_keys_are_refused_in_code(app):
    with app.test_request_context(), pytest.raises(KeyError):
        picture_url("nothing")


def test_the_build_command(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    result = runner.invoke(args=["pictures", "build"])
    assert result.exit_code == 0, result.output
    assert f"Built {len(VOCABULARY)} pictures" in result.output
    assert (tmp_path / "instance" / "pictures" / "home.svg").is_file()
    monkeypatch.setattr(pictures, "ICONIFY_JSON", tmp_path / "missing.json")
    result = runner.invoke(args=["pictures", "build"])
    assert result.exit_code != 0 and "npm ci" in result.output
