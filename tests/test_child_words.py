"""Words a child knows (issue 14, part 4): every page a child reaches through their link says who the IRO is
the first time it names them, and the young booklets (4-7 and 4-11) use no care or form words.

The pages are walked as a child walks them (their link, Start, each page), in English; "main text" is what
is inside <main>, without the menus (nav, back links) and the 'I need to talk to someone now' panel, which is
checked on its own (it is folded away, and always says who the IRO is).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.booklet.questions import CURRENT_SET, question_set
from portal.booklet.services import booklet_for_review, issue_booklet_link
from portal.extensions import db
from portal.letters.reading import issue_letter_link
from portal.links.words import iro_named, iro_word
from tests import factories as f

IRO = re.compile(r"\bIROs?\b")
EXPLAINED = re.compile(r"(person|people) who runs? (your|children's) (review )?meetings?", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?\n]")

# Care and form words a young child should not meet (4-7 and 4-11): each with why, as a pattern.
FORBIDDEN = {
    "placement": r"\bplacements?\b",
    "contact (family contact)": r"\bfamily contact\b|\bcontact (with|arrangements?|visits?|time|sessions?)\b|'contact'",
    "LAC": r"\bLAC\b",
    "looked after": r"\blooked[- ]after\b",
    "care plan": r"\bcare plans?\b",
    "statutory": r"\bstatutory\b",
    "reg 33": r"\breg(ulation)?\.? ?33\b",
    "pronouns": r"\bpronouns?\b",
    "characters": r"\bcharacters?\b",
    "submit": r"\bsubmit(ted|ting)?\b",
    "mandatory": r"\bmandatory\b",
    "optional": r"\boptional\b",
    "invalid": r"\binvalid\b",
    "input": r"\binputs?\b",
    "field": r"\bfields?\b",
    "session": r"\bsessions?\b",
    "consultation": r"\bconsultations?\b",
    "safeguarding": r"\bsafeguarding\b",
    "CSE": r"\bCSE\b",
    "respite": r"\brespite\b",
    "permanence": r"\bpermanence\b",
    "LADO": r"\bLADO\b",
}
BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "dt", "dd", "label", "legend", "td", "th", "tr", "br",
          "section", "article", "summary", "button", "a", "span", "option", "ul", "ol", "form", "fieldset"}
VOID = {"br", "input", "img", "meta", "link", "hr", "source", "wbr"}


class _Text(HTMLParser):
    """The text of <main>, in pieces split at elements, leaving out menus, back links and the help panel."""

    def __init__(self):
        super().__init__()
        self.depth_main = 0
        self.skip_stack: list[str] = []
        self.main: list[str] = []
        self.help: list[str] = []
        self.title: list[str] = []
        self.in_title = False
        self.in_help = 0

    def _skipped(self, tag: str, attrs: dict) -> bool:
        classes = (attrs.get("class") or "").split()
        return tag in {"nav", "script", "style", "template"} or "govuk-back-link" in classes

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self.in_title = True
        if tag == "main":
            self.depth_main += 1
        if tag in VOID:
            if tag == "br":
                self._piece("\n")
            return
        if self.skip_stack:
            self.skip_stack.append(tag)
            return
        if self._skipped(tag, attrs):
            self.skip_stack.append(tag)
            return
        if tag == "details" and "portal-help" in (attrs.get("class") or "").split():
            self.in_help += 1
        elif self.in_help and tag == "details":
            self.in_help += 1
        if tag in BLOCKS:
            self._piece("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in VOID:
            return
        if self.skip_stack:
            self.skip_stack.pop()
            return
        if tag == "details" and self.in_help:
            self.in_help -= 1
        if tag == "main":
            self.depth_main -= 1
        if tag in BLOCKS:
            self._piece("\n")

    def _piece(self, text: str):
        if self.in_help:
            self.help.append(text)
        elif self.depth_main:
            self.main.append(text)

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if not self.skip_stack:
            self._piece(data)


def page_text(html: str) -> tuple[str, str, str]:
    """(main text, help panel text, title) of a page, white space folded within each line."""
    parser = _Text()
    parser.feed(html)

    def fold(pieces):
        lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
        return "\n".join(line for line in lines if line)
    return fold(parser.main), fold(parser.help), " ".join("".join(parser.title).split())


def sentence_around(text: str, start: int, end: int) -> str:
    before = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    after = SENTENCE_END.search(text, end)
    return text[before:after.start() if after else len(text)].strip()


def iro_problem(text: str) -> str | None:
    """None when the first 'IRO' of the text is explained in its own sentence, else that sentence."""
    first = IRO.search(text)
    if first is None:
        return None
    sentence = sentence_around(text, first.start(), first.end())
    return None if EXPLAINED.search(sentence) else sentence


def forbidden_in(text: str) -> list[str]:
    return [name for name, pattern in FORBIDDEN.items() if re.search(pattern, text, re.IGNORECASE)]


# --- Walking a child's pages ------------------------------------------------------------------

def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _get(client, path: str, pages: dict, name: str, status: int = 200):
    response = client.get(path)
    assert response.status_code == status, f"{name} ({path}) gave {response.status_code}"
    pages[name] = response.get_data(as_text=True)
    return pages[name]


def booklet_pages(client, age: int) -> dict[str, str]:
    """Every booklet page a child of this age reaches before their meeting, by name."""
    iro = f.staff("iro", name="Priya Shah")
    review = f.review(f.child(iro, age=age, preferred_name="Sam"))
    url, _code = issue_booklet_link(review)
    db.session.commit()
    pages: dict[str, str] = {}
    _get(client, _path(url), pages, "landing")
    assert client.post(_path(url)).status_code == 303
    _get(client, "/booklet", pages, "contents")
    booklet = booklet_for_review(review)
    for section in question_set(booklet.question_set).sections:
        _get(client, f"/booklet/{section.key}", pages, f"section {section.key}")
    first_free = next((q for q in question_set(booklet.question_set).questions if q.is_free_text), None)
    if first_free is not None:
        f.answer(booklet, first_free.key, "I like football")
        db.session.commit()
    for path in ("/booklet/sharing", "/booklet/check", "/booklet/mine", "/booklet/withdraw", "/booklet/version",
                 "/my-iro", "/my-iro/message"):
        _get(client, path, pages, path)
    token = f.csrf_token(client, "/booklet/check")
    assert client.post("/booklet/send", data={"csrf_token": token}).status_code == 303
    _get(client, "/booklet/sent", pages, "/booklet/sent")
    f.message(review, "Can we talk after school?")
    db.session.commit()
    return pages


def after_meeting_pages(client) -> dict[str, str]:
    """The pages of a child whose review was held: what happened, the letter, feedback, My IRO."""
    iro = f.staff("iro", name="Priya Shah")
    review = f.held_review(f.child(iro, age=13, preferred_name="Ellie"), days_ago=3)
    f.issued_letter(review, iro)
    letter_url = issue_letter_link(review)
    url, _code = issue_booklet_link(review)
    db.session.commit()
    pages: dict[str, str] = {}
    _get(client, _path(url), pages, "happened")
    _get(client, _path(letter_url), pages, "letter landing")
    assert client.post(_path(url), data={"offer": "feedback"}).status_code == 303
    _get(client, "/feedback/mine", pages, "feedback form")
    _get(client, "/letter", pages, "letter")
    _get(client, "/my-iro?from=letter", pages, "my iro from the letter")
    return pages


def link_pages(client) -> dict[str, str]:
    pages: dict[str, str] = {}
    _get(client, "/l/not-a-real-token-at-all", pages, "not found", 404)
    _get(client, "/s", pages, "short code")
    _get(client, "/booklet", pages, "locked", 401)
    return pages


def assert_iro_explained(pages: dict[str, str]) -> None:
    problems, help_problems = [], []
    for name, html in pages.items():
        main, help_panel, _title = page_text(html)
        problem = iro_problem(main)
        if problem:
            problems.append(f"{name}: {problem!r}")
        for line in help_panel.split("\n"):
            if IRO.search(line) and not EXPLAINED.search(line):
                help_problems.append(f"{name}: {line!r}")
    assert not problems, "the first 'IRO' of these child pages is not explained:\n" + "\n".join(problems)
    assert not help_problems, "the help panel names the IRO without saying who that is:\n" + "\n".join(help_problems)


# --- The tests --------------------------------------------------------------------------------

def test_the_sentence_check_itself():
    assert iro_problem("My booklet\nYour IRO (the person who runs your meeting) is Priya. Your IRO reads it.") is None
    assert iro_problem("Hello.\nYour IRO will read it. The IRO is the person who runs your meeting.") \
        == "Your IRO will read it"
    assert iro_problem("Nothing about them here.") is None
    assert forbidden_in("Your placement and your care plan") == ["placement", "care plan"]
    assert forbidden_in("How to contact Priya") == []
    main, help_panel, title = page_text(
        "<title>T</title><main><a class='govuk-back-link' href='/'>Back to My IRO</a>"
        "<details class='govuk-details portal-help'><summary>Help</summary><p>Your IRO: Priya</p></details>"
        "<p>Hi <b>there</b>.</p><nav><a href='/'>My IRO</a></nav></main>")
    assert (main, help_panel, title) == ("Hi there.", "Help\nYour IRO: Priya", "T")


def test_the_helpers_explain_once_per_page(app):
    with app.test_request_context("/"):
        assert str(iro_word(start=True)) == "Your IRO (the person who runs your meeting)"
        assert str(iro_word()) == "your IRO"
        assert str(iro_named("Priya <Shah>")) == "<bdi>Priya &lt;Shah&gt;</bdi>"
    with app.test_request_context("/"):
        assert str(iro_named("Priya")) == "<bdi>Priya</bdi> (your IRO, the person who runs your meeting)"
        assert str(iro_word()) == "your IRO"


@pytest.mark.parametrize("age", [5, 9, 14])
def test_every_booklet_page_says_who_the_iro_is_the_first_time(client, age):
    assert_iro_explained(booklet_pages(client, age))


def test_pages_after_the_meeting_and_link_pages_say_who_the_iro_is(client, app):
    pages = after_meeting_pages(client)
    pages.update(link_pages(app.test_client()))
    assert_iro_explained(pages)


def test_message_sent_page_says_who_the_iro_is(client):
    iro = f.staff("iro", name="Priya Shah")
    review = f.review(f.child(iro, age=10))
    url, _code = issue_booklet_link(review)
    db.session.commit()
    client.post(_path(url))
    page = client.get("/my-iro/message").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission" value="([^"]*)"', page).group(1)
    sent = client.post("/my-iro/message", data={"csrf_token": token, "submission": submission,
                                                  "body": "Can we talk after school?"})
    assert sent.status_code == 303, sent.status_code
    pages: dict[str, str] = {}
    _get(client, sent.headers["Location"].removeprefix("http://localhost"), pages, "message sent")
    assert_iro_explained(pages)


@pytest.mark.parametrize("version, age", [("4-7", 5), ("4-11", 9)])
def test_young_booklet_pages_use_no_care_or_form_words(client, version, age):
    pages = booklet_pages(client, age)
    found = []
    for name, html in pages.items():
        main, help_panel, title = page_text(html)
        for word in forbidden_in("\n".join((title, main, help_panel))):
            found.append(f"{name}: {word}")
    assert not found, f"care or form words on the {version} booklet's pages:\n" + "\n".join(found)


def _set_texts(set_id: str):
    for section in question_set(set_id).sections:
        yield f"{section.key} (title)", section.title
        yield f"{section.key} (intro)", section.intro
        for question in section.questions:
            yield question.key, question.prompt
            yield f"{question.key} (hint)", question.hint
            for option in question.options:
                yield f"{question.key}: {option.key}", option.label


@pytest.mark.parametrize("version", ["4-7", "4-11"])
def test_young_question_sets_use_no_care_or_form_words(app, version):
    set_id = CURRENT_SET[version]
    found = []
    with app.test_request_context("/"):
        for where, text in _set_texts(set_id):
            if text:
                found += [f"{where}: {word} in {str(text)!r}" for word in forbidden_in(str(text))]
                problem = iro_problem(str(text)) if where.endswith(("(title)", "(intro)")) else None
                if problem:
                    found.append(f"{where}: 'IRO' unexplained in {problem!r}")
    assert not found, f"care or form words in question set {set_id}:\n" + "\n".join(found)


def test_a_letter_link_page_kept_for_a_year_still_explains(client):
    """The letter's own link (not the booklet's) reaches the same explained pages."""
    iro = f.staff("iro", name="Priya Shah")
    review = f.held_review(f.child(iro, age=10), days_ago=3)
    f.issued_letter(review, iro)
    url = issue_letter_link(review)
    db.session.commit()
    assert client.post(_path(url)).status_code == 303
    pages: dict[str, str] = {}
    _get(client, "/letter", pages, "letter")
    _get(client, "/my-iro", pages, "my iro")
    assert_iro_explained(pages)
    assert "Back to the letter from your review" not in pages["my iro"]


# --- Kind, equal choices (issue 14, part 5) ---------------------------------------------------

def _started(client, age: int = 10, *, answered: bool = True):
    iro = f.staff("iro", name="Priya Shah")
    review = f.review(f.child(iro, age=age))
    url, _code = issue_booklet_link(review)
    booklet = booklet_for_review(review)
    if answered:
        key = next(q.key for q in question_set(booklet.question_set).questions if q.is_free_text)
        f.answer(booklet, key, "My words")
    db.session.commit()
    assert client.post(_path(url)).status_code == 303
    return review, booklet


def _buttons(html: str) -> list[tuple[str, str]]:
    """(classes, words) of every govuk-button in the page's main part, in order."""
    main = html.split('id="main-content"', 1)[1]
    return [(m.group(1), " ".join(re.sub(r"<[^>]+>", "", m.group(2)).split()))
            for m in re.finditer(r'<(?:a|button)[^>]*class="(govuk-button[^"]*)"[^>]*>(.*?)</(?:a|button)>', main, re.S)]


def test_keep_my_answers_is_a_button_as_big_as_delete_and_comes_first(client):
    review, booklet = _started(client)
    page = client.get("/booklet/withdraw").get_data(as_text=True)
    group = re.search(r'<div class="govuk-button-group portal-equal-choices">(.*?)</div>', page, re.S).group(1)
    buttons = _buttons('id="main-content"' + group)
    assert [words for _classes, words in buttons] == ["No, keep my answers", "Yes, delete everything I wrote"]
    keep_classes, delete_classes = buttons[0][0].split(), buttons[1][0].split()
    assert "govuk-button--secondary" in keep_classes and "govuk-button--warning" in delete_classes
    assert not {"govuk-button--small", "govuk-link"} & set(keep_classes)
    # Keep: back to the answers, all still there.
    keep_href = re.search(r'<a[^>]*href="([^"]+)"[^>]*>\s*No, keep my answers', group).group(1)
    kept = client.get(keep_href)
    assert kept.status_code == 200 and "My words" in kept.get_data(as_text=True)
    assert booklet_for_review(review).withdrawn_at is None
    # Delete: really deletes.
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    deleted = client.post("/booklet/withdraw", data={"csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["Location"].endswith("/booklet/withdrawn")
    db.session.expire_all()
    assert booklet_for_review(review).withdrawn_at is not None
    assert "My words" not in client.get("/booklet/mine").get_data(as_text=True)


def test_my_iro_leads_back_to_the_booklet(client):
    _started(client, answered=False)
    page = client.get("/my-iro").get_data(as_text=True)
    assert ("govuk-button govuk-button--secondary", "Back to my booklet") in _buttons(page)
    assert re.search(r'class="govuk-back-link" href="/booklet">Back to my booklet<', page)
    assert client.get("/booklet").status_code == 200


def test_my_iro_from_the_letter_leads_back_to_the_letter(client):
    iro = f.staff("iro", name="Priya Shah")
    review = f.held_review(f.child(iro, age=10), days_ago=3)
    f.issued_letter(review, iro)
    url = issue_letter_link(review)
    db.session.commit()
    client.post(_path(url))
    letter = client.get("/letter").get_data(as_text=True)
    assert 'href="/my-iro?from=letter"' in letter
    page = client.get("/my-iro?from=letter").get_data(as_text=True)
    assert ("govuk-button govuk-button--secondary", "Back to the letter from your review") in _buttons(page)
    assert "Back to my booklet" not in page


def test_download_says_the_file_stays_and_offers_screen_and_print_first(client):
    _started(client)
    page = client.get("/booklet/mine").get_data(as_text=True)
    main, _help, _title = page_text(page)
    screen, printing = main.index("Show my answers on screen"), main.index("Print my answers")
    warning = main.index("the file stays on this phone or computer")
    download = main.index("Download a copy of my answers")
    assert screen < download and printing < download and warning < download
    assert "Anyone who uses it could open the file" in main
    # Print without JavaScript: words on how to; with it, a button (shown by print.js).
    assert "open your browser's menu and choose Print" in main
    assert re.search(r"<button[^>]*data-print-page[^>]*hidden", page)
    assert "js/print.js" in page and "portal-printable" in page
    assert 'href="#my-answers"' in page and 'id="my-answers"' in page
