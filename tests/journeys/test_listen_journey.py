"""Listen reads the whole page (issue 14, part 2): a 4-11 booklet page at 375 px, in English and Welsh.

With the phone's voice (speech stubbed: every utterance's text and language recorded) every readable piece is
spoken in order, then a choice is spoken when focused or tapped. With no voice the portal's own audio plays:
the requests are made only after Listen is pressed, and each answer is small, valid Ogg Opus. With JavaScript
off there is no Listen button and the page still works. axe on every page."""

from __future__ import annotations

import re
import shutil
import time
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from portal.booklet.questions import CURRENT_SET, question_set
from portal.speech import ogg
from portal.speech.registry import normalise, registry, text_key
from tests.journeys.conftest import Journey, LiveServer

SECTION_KEY = "worries"
SECTION = f"/booklet/{SECTION_KEY}"
# Known words of the 4-11 'Worries' page, whatever its wording becomes: its question and first choice.
PROMPT = "Do you feel safe where you live?"
CHOICE = "Not always"
OWN_WORDS = "Pip's own words, never sent to the server"
MAX_BYTES_PER_SENTENCE = 8 * 1024
MIN_SECONDS = 0.3

VOICE_STUB = """
window.__spoken = [];
const voices = [
  {lang: 'en-GB', name: 'English', default: true, localService: true, voiceURI: 'en'},
  {lang: 'cy-GB', name: 'Welsh', default: false, localService: true, voiceURI: 'cy'},
];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  getVoices: () => voices,
  speak: (u) => {
    window.__spoken.push({text: u.text, lang: u.lang});
    setTimeout(() => (u.listeners.end || []).forEach((f) => f()), 40);
  },
  cancel: () => {}, addEventListener: () => {}, removeEventListener: () => {},
  speaking: false, pending: false, paused: false,
}});
window.SpeechSynthesisUtterance = class {
  constructor (text) { this.text = text; this.lang = ''; this.voice = null; this.listeners = {} }
  addEventListener (name, f) { (this.listeners[name] = this.listeners[name] || []).push(f) }
};
"""

# No voice at all; the audio really plays, sixteen times faster, muted (every play and every end recorded).
NO_VOICE_STUB = """
window.__spoken = [];
window.__played = [];
window.__ended = [];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  getVoices: () => [], speak: (u) => window.__spoken.push({text: u.text, lang: u.lang}),
  cancel: () => {}, addEventListener: () => {}, removeEventListener: () => {},
}});
window.SpeechSynthesisUtterance = class { constructor (text) { this.text = text } addEventListener () {} };
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__played.push(this.src);
  if (!this.__recorded) {
    this.__recorded = true;
    // Capturing: heard before listen.js's own handler moves the element on to the next file.
    this.addEventListener('ended', () => window.__ended.push(this.src), true);
  }
  this.muted = true;
  this.playbackRate = 16;
  this.addEventListener('loadedmetadata', () => { this.playbackRate = 16 }, {once: true});
  return play.call(this);
};
"""

# What the page shows, read independently of listen.js: every visible heading, caption, paragraph, legend,
# label, hint and button in the booklet's content, screen-reader-only words and the character counters (they
# change at each letter) left out, outermost first.
VISIBLE_PIECES = """() => {
  const root = document.querySelector('.portal-lockable');
  const found = Array.from(root.querySelectorAll('h1, h2, .govuk-caption-l, p, legend, label, .govuk-hint, button'))
    .filter((e) => e.getClientRects().length && !e.closest('.portal-listen-bar, [hidden], .govuk-visually-hidden, .govuk-character-count__message, '
      + '.govuk-character-count__status'));
  return found.filter((e) => !found.some((o) => o !== e && o.contains(e))).map((e) => {
    const copy = e.cloneNode(true);
    copy.querySelectorAll('.govuk-visually-hidden, svg').forEach((x) => x.remove());
    return copy.textContent.normalize('NFC').replace(/\\s+/g, ' ').trim();
  }).filter(Boolean);
}"""


def _page_texts(server: LiveServer, lang: str) -> list[str]:
    """The 4-11 'Worries' page's title, introduction, questions and choices, in order, in the language (from
    portal/booklet/questions.py, as the page draws them)."""
    def read() -> list[str]:
        section = next(s for s in question_set(CURRENT_SET["4-11"]).sections if s.key == SECTION_KEY)
        with server.app.test_request_context("/"), force_locale(lang):
            texts = [str(section.title)] + ([str(section.intro)] if section.intro else [])
            for question in section.questions:
                texts += [str(question.prompt)] + [str(option.label) for option in question.options]
            return [normalise(text) for text in texts]

    return server.run(read)


def _in_language(texts: list[str], lang: str, server: LiveServer) -> list[str]:
    """The texts as the app shows them in the language (its compiled catalogue)."""

    def read() -> list[str]:
        with server.app.test_request_context("/"), force_locale(lang):
            return [gettext(text) for text in texts]

    return server.run(read)


def _in_order(expected: list[str], spoken: list[str]) -> None:
    """Each expected text is spoken, after the one before it."""
    position = 0
    for text in expected:
        try:
            position = spoken.index(text, position) + 1
        except ValueError:
            pytest.fail(f"not spoken (or out of order): {text!r}\nspoken: {spoken}")


@pytest.fixture(scope="module")
def speech_cache(tmp_path_factory):
    """The module's audio cache: each text is rendered once for all its tests."""
    return tmp_path_factory.mktemp("speech")


@pytest.fixture
def speech_server(tmp_path, speech_cache):
    """A server (and SQLite database) of each test's own, so one test's last saves never meet the next's."""
    server = LiveServer(tmp_path, SPEECH_CACHE=str(speech_cache))
    yield server
    server.stop()


def start(journey: Journey, link) -> None:
    """Open the private link and press its start button, as the child does."""
    journey.goto(link.url)
    with journey.page.expect_navigation():
        journey.page.locator("main .govuk-button--start, main form button[type=submit]").first.click()
    journey.check()


def _open_section(open_browser, server, *, lang: str, stub: str | None, js: bool = True) -> Journey:
    link = server.booklet_link(age=9, name="Pip")
    child = open_browser(js=js, server=server)
    if stub:
        child.page.add_init_script(stub)
    start(child, link)
    if lang == "cy":
        child.welsh()
    child.goto(SECTION)
    return child


def _listen_button(child: Journey, lang: str):
    name = _in_language(["Listen"], lang, child.server)[0]
    return child.page.locator(".portal-listen-bar").get_by_role("button", name=name, exact=True)


def _wait_until_read(child: Journey, lang: str, timeout: float = 60_000) -> None:
    expect(_listen_button(child, lang)).to_be_visible(timeout=timeout)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_listen_reads_the_whole_page_in_order_with_the_phones_voice(speech_server, open_browser, lang):
    child = _open_section(open_browser, speech_server, lang=lang, stub=VOICE_STUB)
    page = child.page
    listen = _listen_button(child, lang)
    expect(listen).to_be_visible()
    box = listen.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    # A child's own words on the page are read by the phone's voice (which never leaves the phone).
    page.evaluate("""(words) => { const p = document.createElement('p'); p.className = 'govuk-body';
        p.dataset.listenOwn = ''; p.textContent = words;
        document.querySelector('.portal-lockable h1').after(p) }""", OWN_WORDS)
    pieces = page.evaluate(VISIBLE_PIECES)
    buttons = [normalise(b) for b in page.locator("form button[type=submit]").all_inner_texts()]
    assert len(buttons) >= 2
    # Words typed in a box are never read (set without events, so nothing saves while the page is read).
    page.locator(".portal-lockable textarea").first.evaluate("(box) => { box.value = 'typed words stay quiet' }")

    listen.click()
    stop_name = _in_language(["Stop"], lang, speech_server)[0]
    # While it reads, the button says Stop.
    expect(child.page.locator(".portal-listen-bar").get_by_role("button", name=stop_name, exact=True)).to_be_visible()
    _wait_until_read(child, lang)
    child.check()  # axe, with the button drawn
    spoken = page.evaluate("window.__spoken")
    texts = [item["text"] for item in spoken]
    assert {item["lang"][:2] for item in spoken} == {lang}
    expected = _page_texts(speech_server, lang)
    assert _in_language([PROMPT, CHOICE], lang, speech_server)[0] in expected  # the page is the one this test knows
    _in_order(expected + buttons, texts)
    _in_order(pieces, texts)  # and everything else the page shows, in the order it shows it
    assert OWN_WORDS in texts
    assert "typed words stay quiet" not in " ".join(texts)
    assert texts[-len(buttons):] == buttons  # the buttons come last
    assert stop_name not in texts and _in_language(["Listen"], lang, speech_server)[0] not in texts

    # A choice is spoken when it is focused (keyboard) and when it is tapped.
    choice = _in_language([CHOICE], lang, speech_server)[0]
    yes = _in_language(["Yes, I feel safe"], lang, speech_server)[0]
    page.evaluate("window.__spoken = []")
    page.get_by_role("radio", name=choice, exact=True).focus()
    _wait_for(lambda: [s["text"] for s in page.evaluate("window.__spoken")] == [choice])
    page.evaluate("window.__spoken = []")
    page.get_by_role("radio", name=yes, exact=True).click()
    _wait_for(lambda: [s["text"] for s in page.evaluate("window.__spoken")] == [yes])
    # The tap saved the answer (wait for it, so the next test's database writes do not meet this one's).
    expect(page.locator("#question-feel_safe .portal-saved")).not_to_be_empty(timeout=10_000)
    page.wait_for_load_state("networkidle")
    child.no_horizontal_scroll()


def _wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


def _sentences(text: str) -> int:
    return max(1, len(re.findall(r"[.?!](\s|$)", text)))


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("opusenc")),
                    reason="espeak-ng and opusenc (Debian: espeak-ng opus-tools) are needed for the portal's audio")
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_with_no_voice_the_portals_own_audio_plays(speech_server, open_browser, lang):
    child = _open_section(open_browser, speech_server, lang=lang, stub=NO_VOICE_STUB)
    page = child.page
    answers: list = []
    page.on("response", lambda r: answers.append(r) if "/speech/" in r.url else None)
    listen = _listen_button(child, lang)
    expect(listen).to_be_visible()
    page.evaluate("""(words) => { const p = document.createElement('p'); p.className = 'govuk-body';
        p.dataset.listenOwn = ''; p.textContent = words;
        document.querySelector('.portal-lockable h1').after(p) }""", OWN_WORDS)
    time.sleep(0.5)
    assert answers == [], "audio is never fetched before Listen is pressed"

    listen.click()
    _wait_until_read(child, lang, timeout=120_000)
    child.check()
    assert page.evaluate("window.__spoken") == []
    keys = registry(lang)
    requested = {urlsplit(r.url).path.rsplit("/", 1)[1].removesuffix(".opus"): r for r in answers}
    assert text_key(OWN_WORDS) not in requested, "a child's words are never sent, not even as a key"
    buttons = [normalise(b) for b in page.locator("form button[type=submit]").all_inner_texts()]
    for text in _page_texts(speech_server, lang) + buttons:
        assert text_key(text) in requested, f"no audio asked for {text!r}"
    served = 0
    for key, response in requested.items():
        assert urlsplit(response.url).path == f"/speech/{lang}/{key}.opus"
        if key not in keys:
            assert response.status == 404  # not a fixed text (a number, a name): skipped
            continue
        assert response.status in (200, 206)  # a media element asks for a range ("bytes=0-")
        # The whole file, as any client gets it (with this browser's cookies: none is set back).
        whole = page.request.get(response.url)
        assert whole.status == 200
        assert whole.headers["content-type"] == "audio/ogg; codecs=opus"
        assert "immutable" in whole.headers["cache-control"]
        assert "set-cookie" not in whole.headers and "set-cookie" not in response.headers
        body = whole.body()
        info = ogg.read(body)
        assert body.startswith(b"OggS") and b"OpusHead" in body[:100]
        assert info.seconds > MIN_SECONDS
        assert len(body) <= MAX_BYTES_PER_SENTENCE * _sentences(keys[key].text), (keys[key].text, len(body))
        served += 1
    assert served >= len(_page_texts(speech_server, lang))
    played = page.evaluate("window.__played")
    assert [urlsplit(url).path for url in played][:3] == [urlsplit(r.url).path for r in answers][:3]
    # Each fixed text really played to its end.
    ended = {urlsplit(url).path for url in page.evaluate("window.__ended")}
    assert {f"/speech/{lang}/{key}.opus" for key in requested if key in keys} <= ended


def test_without_javascript_there_is_no_listen_button_and_the_page_works(speech_server, open_browser):
    child = _open_section(open_browser, speech_server, lang="en", stub=None, js=False)
    expect(child.page.get_by_role("button", name="Listen")).to_have_count(0)
    heading = child.heading()
    child.choose("Yes, I feel safe")
    child.page.locator("form button[type=submit]").first.click()
    child.page.wait_for_load_state("load")
    child.check()
    assert child.heading() != heading


def test_normalisation_and_keys_match_the_servers(speech_server, open_browser):
    """listen.js and portal.speech.registry give tricky texts the same key."""
    vectors = ["Don’t worry", "What   is\n good?\t", "\u00a0Part\u2002one\u3000", "Cafe\u0301 time",
               "‘Family time’ or “mum time”", "ŵ ŷ â ê", "line\u2028break\ufeff", "  "]
    child = _open_section(open_browser, speech_server, lang="en", stub=VOICE_STUB)
    result = child.page.evaluate("""async (vectors) => {
        const listen = await import('/static/js/listen.js');
        return Promise.all(vectors.map(async (v) => [listen.normalise(v), await listen.textKey(v)]));
    }""", vectors)
    assert result == [[normalise(v), text_key(v)] for v in vectors]


# ---------------------------------------------------------------- a five-year-old's Three Houses screen

HOUSE_SECTION = "worries"  # the house of worries: a question answered by tapping pictures


def _house_texts(server: LiveServer, lang: str) -> tuple[list[str], list[str]]:
    """The 4-7 house of worries' title and question, and its pictures' names, in order, in the language."""
    def read() -> tuple[list[str], list[str]]:
        section = next(s for s in question_set(CURRENT_SET["4-7"]).sections if s.key == HOUSE_SECTION)
        with server.app.test_request_context("/"), force_locale(lang):
            question = section.questions[0]
            return ([normalise(str(section.title)), normalise(str(question.prompt))],
                    [normalise(str(option.label)) for option in question.options])

    return server.run(read)


def _open_house(open_browser, server, *, lang: str, stub: str) -> Journey:
    link = server.booklet_link(age=5, name="Bea")
    child = open_browser(js=True, server=server)
    child.page.add_init_script(stub)
    start(child, link)
    if lang == "cy":
        child.welsh()
    child.goto(f"/booklet/{HOUSE_SECTION}")
    return child


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_five_year_old_hears_the_whole_house_screen_and_each_picture_she_taps(speech_server, open_browser, lang):
    child = _open_house(open_browser, speech_server, lang=lang, stub=VOICE_STUB)
    page = child.page
    heading_and_question, pictures = _house_texts(speech_server, lang)
    assert len(pictures) >= 6
    buttons = [normalise(b) for b in page.locator("form button[type=submit]").all_inner_texts()]
    _listen_button(child, lang).click()
    _wait_until_read(child, lang)
    child.check()
    texts = [item["text"] for item in page.evaluate("window.__spoken")]
    assert {item["lang"][:2] for item in page.evaluate("window.__spoken")} == {lang}
    # The screen in order: its title, the question, every picture's name, then the buttons, last.
    _in_order(heading_and_question + pictures + buttons, texts)
    _in_order(page.evaluate(VISIBLE_PIECES), texts)
    assert texts[-len(buttons):] == buttons

    # Each picture she taps is said once, by name; the house shows it.
    for name in pictures[:2]:
        page.evaluate("window.__spoken = []")
        page.get_by_role("checkbox", name=name, exact=True).click()  # the tile is its checkbox
        _wait_for(lambda name=name: [s["text"] for s in page.evaluate("window.__spoken")] == [name])
        expect(page.locator("[data-house-things] img").and_(page.get_by_alt_text(name, exact=True))).to_have_count(1)
    page.wait_for_load_state("networkidle")
    child.no_horizontal_scroll()


def test_a_five_year_old_with_no_voice_on_her_phone_hears_the_portals_own_audio(speech_server, open_browser):
    child = _open_house(open_browser, speech_server, lang="en", stub=NO_VOICE_STUB)
    page = child.page
    answers: list = []
    page.on("response", lambda r: answers.append(r) if "/speech/" in r.url else None)
    _listen_button(child, "en").click()
    _wait_until_read(child, "en", timeout=120_000)
    heading_and_question, pictures = _house_texts(speech_server, "en")
    requested = {urlsplit(r.url).path.rsplit("/", 1)[1].removesuffix(".opus"): r for r in answers}
    for text in heading_and_question + pictures:
        key = text_key(text)
        assert key in requested, f"no audio asked for {text!r}"
        body = page.request.get(requested[key].url).body()
        assert body.startswith(b"OggS") and b"OpusHead" in body[:100]
        assert ogg.read(body).seconds > MIN_SECONDS and len(body) <= MAX_BYTES_PER_SENTENCE, (text, len(body))
    assert page.evaluate("window.__spoken") == []
