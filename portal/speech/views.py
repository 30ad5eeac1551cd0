"""GET /speech/<lang>/<key>.opus: the portal's own audio of a fixed text, for phones with no voice for the page's
language. Public (the texts are the portal's own, the same for everyone), cached for a year, no session or cookie.
Also `flask speech build` and the template helper that tells listen.js where the audio is."""

from __future__ import annotations

import re
import time

import click
from flask import Blueprint, abort, send_file, url_for
from flask_babel import get_locale

from portal.speech import audio
from portal.speech.registry import KEY_LENGTH, VOICES

bp = Blueprint("speech", __name__, cli_group="speech")
KEY = re.compile(rf"[0-9a-f]{{{KEY_LENGTH}}}")
YEAR = 365 * 24 * 3600


@bp.get("/speech/<lang>/<key>.opus")
def audio_file(lang: str, key: str):
    """One fixed text's audio (404 for an unknown language or a text that is not in the registry)."""
    if lang not in VOICES or not KEY.fullmatch(key):
        abort(404)
    path = audio.audio_for(lang, key)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="audio/ogg; codecs=opus", max_age=YEAR, conditional=True, etag=True)
    response.cache_control.immutable = True
    response.cache_control.public = True
    return response


@bp.app_template_global()
def speech_audio_base() -> str:
    """The address listen.js adds '<key>.opus' to for the page language's audio, or '' when the server has none."""
    lang = str(get_locale() or "en")
    if not audio.can_speak(lang):
        return ""
    return url_for("speech.audio_file", lang=lang, key="k").rsplit("/", 1)[0] + "/"


@bp.cli.command("build")
@click.option("--lang", "langs", multiple=True, type=click.Choice(sorted(VOICES)),
              help="Only this language (repeatable); every language espeak-ng speaks when left out.")
def build(langs: tuple[str, ...]) -> None:
    """Render every fixed text's audio into the cache (texts already there are kept)."""
    if not audio.tools_present():
        raise click.ClickException("espeak-ng and opusenc are needed: apt-get install espeak-ng opus-tools")
    started = time.monotonic()
    for lang in langs or sorted(VOICES):
        rendered = audio.render_all(lang)
        made = sum(item.made for item in rendered)
        size = sum(item.path.stat().st_size for item in rendered)
        count = len(rendered)
        click.echo(f"{lang}: {count} texts, {made} rendered now, {size / 1024:.0f} KB in all "
                   f"({size / max(count, 1) / 1024:.1f} KB a text)")
    click.echo(f"done in {time.monotonic() - started:.1f} s")
