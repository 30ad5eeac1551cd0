"""Rendering and caching a fixed text's audio: espeak-ng speaks it, opusenc makes it small Ogg Opus.

Only texts from portal.speech.registry reach here, never a request's words; each runs as its own processes with
a timeout, never through a shell. Files are written atomically (a temporary file, then a rename), so a reader
never sees half a file and two renders of the same text at once are harmless.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import current_app

from portal.speech import ogg
from portal.speech.registry import VOICES, SpokenText, registry

# Words a minute: a little slower than espeak-ng's 175, for children.
RATE = 140
# 10 kbit/s mono Opus tuned for speech keeps a sentence of espeak-ng's voice clear in about 3-6 KB; 60 ms frames
# and no padding in the header save a few hundred bytes a file.
BITRATE_KBPS = 10
FRAME_MS = 60
TIMEOUT_SECONDS = 30
SUFFIX = ".opus"


class SpeechUnavailable(RuntimeError):
    """espeak-ng or opusenc is missing, or failed."""


@dataclass(frozen=True)
class Rendered:
    path: Path
    made: bool  # False when the cache already had it


@cache
def _installed(program: str) -> bool:
    return shutil.which(program) is not None


def tools_present() -> bool:
    """espeak-ng and opusenc are installed (looked up once per process: every booklet page asks)."""
    return _installed("espeak-ng") and _installed("opusenc")


def cache_folder() -> Path:
    return Path(current_app.config.get("SPEECH_CACHE") or Path(current_app.instance_path) / "speech")


def cached_path(lang: str, key: str) -> Path:
    return cache_folder() / lang / f"{key}{SUFFIX}"


def can_speak(lang: str) -> bool:
    """Whether the server can give this language's audio: espeak-ng has a voice for it, and the tools are here
    (or its audio was built before)."""
    if lang not in VOICES:
        return False
    folder = cache_folder() / lang
    return tools_present() or (folder.is_dir() and any(folder.glob(f"*{SUFFIX}")))


def encode(text: str, voice: str) -> bytes:
    """Ogg Opus of `text` (a fixed catalogue string) spoken by espeak-ng's `voice`."""
    if not tools_present():
        raise SpeechUnavailable("espeak-ng and opusenc are needed: apt-get install espeak-ng opus-tools")
    try:
        wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(RATE), "-b", "1", "--stdout", "--", text],
                             capture_output=True, check=True, timeout=TIMEOUT_SECONDS).stdout
        return subprocess.run(["opusenc", "--quiet", "--speech", "--bitrate", str(BITRATE_KBPS),
                               "--framesize", str(FRAME_MS), "--padding", "0", "--downmix-mono", "-", "-"],
                              input=wav, capture_output=True, check=True, timeout=TIMEOUT_SECONDS).stdout
    except (subprocess.SubprocessError, OSError) as error:
        raise SpeechUnavailable(f"rendering speech failed: {error.__class__.__name__}") from error


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render(lang: str, key: str, spoken: SpokenText) -> Rendered:
    """The cached file of one registry text, made now when missing."""
    path = cached_path(lang, key)
    if path.is_file():
        return Rendered(path, made=False)
    data = encode(spoken.text, spoken.voice)
    try:
        ogg.read(data)
    except ogg.NotOggOpus as error:
        raise SpeechUnavailable(f"opusenc gave no Ogg Opus stream: {error}") from error
    _write_atomically(path, data)
    return Rendered(path, made=True)


def audio_for(lang: str, key: str) -> Path | None:
    """The audio file of a registry text, rendered on first request; None for an unknown language or text,
    or when it is not built and cannot be made here."""
    spoken = registry(lang).get(key)
    if spoken is None:
        return None
    path = cached_path(lang, key)
    if path.is_file():
        return path
    try:
        return render(lang, key, spoken).path
    except SpeechUnavailable as error:
        current_app.logger.warning("speech: %s", error)
        return None


def render_all(lang: str) -> list[Rendered]:
    """Every registry text of a language, rendered where missing, a process per core at a time."""
    texts = sorted(registry(lang).items())
    app = current_app._get_current_object()

    def one(item):
        with app.app_context():
            return render(lang, *item)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(one, texts))
