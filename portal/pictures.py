"""Pictures a young child taps instead of reading or typing: a small vocabulary of Microsoft's Fluent Emoji
(flat), MIT licence, installed from npm (`@iconify-json/fluent-emoji-flat`, pinned in package.json).

Shared machinery: it knows no feature. A question's options name a picture by key (`Option.picture`);
`flask pictures build` writes each picture of the vocabulary as a standalone SVG into the instance folder
(`make setup` runs it), and `/pictures/<key>.svg` serves it, cached for a year: its address carries a hash
of its content (`?v=`), so a changed picture is a new address. A page sends only the pictures it shows, as
`<img>` (an SVG drawn as an image runs no script). When a built file is missing, the first request builds
the vocabulary from node_modules and says so in the log; a picture that cannot be built is a 404, never a 500.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

import click
from flask import Blueprint, Flask, Response, abort, current_app, request, url_for

from portal.config import PROJECT_ROOT

log = logging.getLogger(__name__)

ICONIFY_JSON = PROJECT_ROOT / "node_modules" / "@iconify-json" / "fluent-emoji-flat" / "icons.json"
FOLDER = "pictures"
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
YEAR = 365 * 24 * 3600

# Each picture a question may name: key -> the icon's name in Fluent Emoji Flat. Keys are what options
# carry and what the page asks for; the icon behind a key may change without changing any answer.
VOCABULARY: dict[str, str] = {
    # People and places
    "family": "people-hugging",
    "friends": "raising-hands",
    "home": "house-with-garden",
    "school": "school",
    "pets": "dog",
    "me": "child",
    "on_my_own": "flexed-biceps",
    "carer": "person",
    "social_worker": "office-worker",
    "advocate": "speaking-head",
    "someone_else": "busts-in-silhouette",
    # Things to do
    "play": "kite",
    "toys": "teddy-bear",
    "games": "video-game",
    "sport": "soccer-ball",
    "music": "musical-notes",
    "books": "books",
    "drawing": "artist-palette",
    "outside": "deciduous-tree",
    "holiday": "beach-with-umbrella",
    "birthday": "birthday-cake",
    "screen_time": "mobile-phone",
    "food": "pizza",
    "sleep": "bed",
    "doctor": "stethoscope",
    # Feelings
    "safe": "shield",
    "happy": "grinning-face-with-big-eyes",
    "sad": "crying-face",
    "angry": "angry-face",
    "scared": "fearful-face",
    "worried": "worried-face",
    "lonely": "pensive-face",
    "hurt": "adhesive-bandage",
    "not_safe": "warning",
    "moving": "package",
    # Faces, for "how do you feel about ..."
    "face_great": "grinning-face-with-big-eyes",
    "face_good": "slightly-smiling-face",
    "face_okay": "neutral-face",
    "face_not_good": "frowning-face",
    "face_bad": "loudly-crying-face",
    # Dreams
    "wish": "glowing-star",
    "magic": "magic-wand",
    "grow_up": "rocket",
    "travel": "airplane",
    "be_good_at": "trophy",
    "stay": "red-heart",
    # Answers and moving on
    "yes": "thumbs-up",
    "no": "thumbs-down",
    "not_sure": "white-question-mark",
    "not_always": "person-shrugging",
    "tell_iro": "speech-balloon",
    "name": "name-badge",
    "next": "right-arrow",
    "back": "left-arrow",
    "send": "envelope-with-arrow",
    "done": "check-mark-button",
}

bp = Blueprint("pictures", __name__)


def folder(app: Flask | None = None) -> Path:
    """Where built pictures live: the instance folder (never in git)."""
    return Path((app or current_app).instance_path) / FOLDER


def _svg(icon: dict, width: int, height: int) -> str:
    """One Iconify icon as a standalone SVG: the body unchanged, whitespace between tags removed."""
    body = re.sub(r">\s+<", "><", icon["body"].strip())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{body}</svg>')


def build(target: Path, source: Path | None = None) -> list[str]:
    """Write every picture of the vocabulary into `target` (from `source`, by default the npm package's
    Iconify JSON); the keys written. Raises when the set or a picture in it is missing."""
    source = source or ICONIFY_JSON
    data = json.loads(source.read_text(encoding="utf-8"))
    icons, aliases = data["icons"], data.get("aliases", {})
    missing = [name for name in VOCABULARY.values() if name not in icons and name not in aliases]
    if missing:
        raise LookupError(f"{source}: no icon named {', '.join(sorted(set(missing)))}")
    target.mkdir(parents=True, exist_ok=True)
    for key, name in VOCABULARY.items():
        name = aliases.get(name, {}).get("parent", name)
        icon = icons[name]
        svg = _svg(icon, icon.get("width", data.get("width", 16)), icon.get("height", data.get("height", 16)))
        partial = target / f".{key}.svg.part"
        partial.write_text(svg, encoding="utf-8")
        partial.replace(target / f"{key}.svg")
    _hashes.clear()
    return list(VOCABULARY)


# key -> short hash of the built file, per process (built files change only with a new build).
_hashes: dict[str, str] = {}


def _built(key: str) -> Path | None:
    """The built file for a key of the vocabulary, building the set first when it is missing."""
    path = folder() / f"{key}.svg"
    if not path.is_file():
        log.warning("pictures: %s was not built; building the pictures from %s", path.name, ICONIFY_JSON)
        try:
            build(folder())
        except (OSError, LookupError, ValueError, KeyError) as error:
            log.error("pictures: could not build the pictures: %s", error)
            return None
    return path if path.is_file() else None


def version(key: str) -> str:
    """A short hash of a picture's content, for its address; '' when it cannot be built."""
    if key not in _hashes:
        path = _built(key)
        if path is None:
            return ""
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return _hashes[key]


def picture_url(key: str) -> str:
    """The address of a picture of the vocabulary, versioned by its content. A KeyError for an unknown key."""
    if key not in VOCABULARY:
        raise KeyError(f"no picture {key!r} in the vocabulary")
    return url_for("pictures.picture", key=key, v=version(key) or None)


@bp.get("/pictures/<key>.svg")
def picture(key: str):
    """One picture, cached for a year when asked for by its versioned address."""
    if not KEY.match(key) or key not in VOCABULARY:
        abort(404)
    path = _built(key)
    if path is None:
        abort(404)
    # Read whole (a few kilobytes), so the file is closed at once and the response compresses.
    data = path.read_bytes()
    response = Response(data, mimetype="image/svg+xml")
    response.set_etag(hashlib.sha256(data).hexdigest()[:16])
    response.headers["Cache-Control"] = (f"public, max-age={YEAR}, immutable" if request.args.get("v")
                                         else "public, max-age=3600")
    response.make_conditional(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# A global, not a context variable: macros imported without context draw pictures too.
bp.add_app_template_global(picture_url, "picture_url")


@click.group("pictures")
def pictures_cli() -> None:
    """The pictures young children tap (Fluent Emoji, MIT licence)."""


@pictures_cli.command("build")
def build_command() -> None:
    """Write each picture of the vocabulary as an SVG into the instance folder, from node_modules."""
    try:
        keys = build(folder())
    except (OSError, LookupError) as error:
        raise click.ClickException(f"{error}. Run `npm ci` first.") from error
    click.echo(f"Built {len(keys)} pictures into {folder()}")
