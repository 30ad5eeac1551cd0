"""The portal's own audio of its fixed texts (issue 14, part 2): the registry, the route, the cache, the command."""

from __future__ import annotations

import shutil
import unicodedata

import pytest
from flask import render_template_string

from portal.speech import audio, ogg
from portal.speech.registry import VOICES, SpokenText, child_facing_messages, normalise, registry, text_key
from tests.conftest import make_test_app

TOOLS = pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("opusenc")),
                           reason="espeak-ng and opusenc are not installed (Debian: apt-get install espeak-ng opus-tools)")
MAX_BYTES = 8 * 1024
TYPICAL = "Do you feel safe where you live?"


@pytest.fixture
def speech_app(tmp_path):
    app = make_test_app("sqlite", tmp_path, SPEECH_CACHE=str(tmp_path / "speech"))
    with app.app_context():
        yield app


def _key(text: str) -> str:
    return text_key(text)


# ---------------------------------------------------------------- the registry


def test_the_registry_holds_the_childs_fixed_texts_and_nothing_with_a_placeholder():
    english = {spoken.text for spoken in registry("en").values()}
    for text in ("Do you feel safe where you live?", "Good things", "Save and continue", "Yes, I feel safe",
                 "Skip this question", "I need to talk to someone now", "Really happy"):
        assert text in english, text
    assert not any("%(" in text or "%{" in text for text in english)
    assert "Part %(number)d of %(total)d" not in child_facing_messages()
    # Staff pages' texts are not in it (even in the booklet's own folder: portal/booklet/staff_*.py).
    assert "Sign in" not in english and "Staff accounts" not in english


def test_keys_are_the_sha256_of_the_normalised_text():
    assert normalise("  What\u00a0is \n good?\t") == "What is good?"
    assert normalise("Cafe\u0301") == unicodedata.normalize("NFC", "Café")
    assert normalise("a\u2028b\ufeff\u3000") == "a b"
    assert normalise("\x1c keep \x85") == "\x1c keep \x85"  # Python's isspace, not JavaScript's \s
    assert _key("Good  things ") == _key("Good things") != _key("Good thing")
    assert len(_key("x")) == 20 and all(c in "0123456789abcdef" for c in _key("x"))


def test_the_welsh_registry_speaks_the_welsh_words_with_the_welsh_voice():
    welsh = registry("cy")
    english = registry("en")
    # One Welsh text per English one, except where two English texts share a translation.
    assert 0.95 * len(english) <= len(welsh) <= len(english)
    spoken = welsh.get(_key("Cadw a pharhau"))
    assert spoken == SpokenText("Cadw a pharhau", "cy")
    assert _key("Save and continue") not in welsh
    assert registry("fr") == {}
    assert set(VOICES) == {"en", "cy"}


# ---------------------------------------------------------------- the route


def test_unknown_language_or_text_is_not_found(speech_app):
    client = speech_app.test_client()
    good = _key(TYPICAL)
    assert client.get(f"/speech/fr/{good}.opus").status_code == 404
    assert client.get(f"/speech/en/{_key('Pip told me a secret')}.opus").status_code == 404
    assert client.get("/speech/en/NOT-A-KEY.opus").status_code == 404
    assert client.get(f"/speech/en/{good}0.opus").status_code == 404


def test_without_the_tools_and_nothing_built_there_is_no_audio_and_no_button(speech_app, monkeypatch):
    monkeypatch.setattr(audio, "tools_present", lambda: False)
    client = speech_app.test_client()
    assert client.get(f"/speech/en/{_key(TYPICAL)}.opus").status_code == 404
    with speech_app.test_request_context("/"):
        assert render_template_string("{{ speech_audio_base() }}") == ""


@TOOLS
def test_a_sentence_is_rendered_once_as_small_ogg_opus_and_cached(speech_app, monkeypatch):
    calls = []
    real = audio.encode
    monkeypatch.setattr(audio, "encode", lambda text, voice: calls.append((text, voice)) or real(text, voice))
    client = speech_app.test_client()
    client.set_cookie("portal_session", "someone-s-session")
    url = f"/speech/en/{_key(TYPICAL)}.opus"
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "audio/ogg" and first.headers["Content-Type"] == "audio/ogg; codecs=opus"
    assert "immutable" in first.headers["Cache-Control"] and "max-age=31536000" in first.headers["Cache-Control"]
    assert "Set-Cookie" not in first.headers
    info = ogg.read(first.data)
    assert info.channels == 1 and info.seconds > 0.3 and len(first.data) <= MAX_BYTES
    second = client.get(url)
    assert second.data == first.data
    first.close()
    second.close()
    assert calls == [(TYPICAL, "en-gb")]
    folder = speech_app.config["SPEECH_CACHE"]
    files = sorted(p.name for p in (audio.cached_path("en", _key(TYPICAL)).parent.iterdir()))
    assert files == [f"{_key(TYPICAL)}.opus"], f"only the finished file in {folder}, no temporary left"
    with speech_app.test_request_context("/"):
        assert render_template_string("{{ speech_audio_base() }}") == "/speech/en/"


@TOOLS
def test_welsh_is_spoken_by_the_welsh_voice(speech_app):
    response = speech_app.test_client().get(f"/speech/cy/{_key('Cadw a pharhau')}.opus")
    assert response.status_code == 200
    assert ogg.read(response.data).seconds > 0.3
    response.close()


def test_a_broken_stream_is_refused():
    with pytest.raises(ogg.NotOggOpus):
        ogg.read(b"RIFF....WAVE")
    with pytest.raises(ogg.NotOggOpus):
        ogg.read(b"OggS" + bytes(30))


@TOOLS
def test_the_command_builds_every_text_once(speech_app, monkeypatch):
    few = {key: spoken for key, spoken in registry("cy").items()
           if spoken.text in {"Cadw a pharhau", "Dim ond yn aml"} or key == _key("Cadw a pharhau")}
    few[_key("Ydych chi'n teimlo'n ddiogel?")] = SpokenText("Ydych chi'n teimlo'n ddiogel?", "cy")
    monkeypatch.setattr(audio, "registry", lambda lang: few if lang == "cy" else {})
    runner = speech_app.test_cli_runner()
    result = runner.invoke(args=["speech", "build", "--lang", "cy"])
    assert result.exit_code == 0, result.output
    assert f"cy: {len(few)} texts, {len(few)} rendered now" in result.output
    for key in few:
        assert ogg.read(audio.cached_path("cy", key).read_bytes()).seconds > 0.3
    again = runner.invoke(args=["speech", "build", "--lang", "cy"])
    assert f"cy: {len(few)} texts, 0 rendered now" in again.output
    assert runner.invoke(args=["speech", "build", "--lang", "fr"]).exit_code != 0


def test_the_command_says_what_to_install_without_the_tools(speech_app, monkeypatch):
    monkeypatch.setattr(audio, "tools_present", lambda: False)
    result = speech_app.test_cli_runner().invoke(args=["speech", "build"])
    assert result.exit_code != 0 and "espeak-ng" in result.output
