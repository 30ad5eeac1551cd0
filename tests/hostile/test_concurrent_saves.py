"""An autosave and a form post on the same answer at the same moment: exactly one is told "saved" and
its words are what is stored; the other is told it conflicted; nothing acknowledged is lost.

Two devices of one child (the phone autosaving as the child types, the laptop's Save button) race
from two threads against one app, each request in its own app context (and database session), as
two gunicorn workers would. Both requests carry the version their page loaded. To make every round
a real race rather than a matter of timing, both requests meet inside `save_answer` right after they
have looked at the stored answer and before either writes (a meeting point with a short time-out, so
a database that makes one request wait at its look simply lets the other go first).
"""

from __future__ import annotations

import html
import re
import threading
from functools import partial

from portal.booklet import answers
from portal.booklet.models import Booklet, BookletAnswer
from portal.booklet.services import issue_booklet_link
from portal.extensions import db
from tests import factories as f

ROUNDS = 20
QUESTION = "good_news"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
CONFLICT_PAGE = ("What you wrote on this device", "What was saved from another device")


class MeetAfterLooking:
    """Hold each armed request at its first look at the stored answer until the other has looked too."""

    def __init__(self, monkeypatch):
        self.barrier = threading.Barrier(2, timeout=1.0)
        self.local = threading.local()
        real = answers.stored_value

        def looked(answer):
            if getattr(self.local, "armed", False):
                self.local.armed = False
                try:
                    self.barrier.wait()
                except threading.BrokenBarrierError:
                    pass  # the other request is held by the database: it goes second
            return real(answer)

        monkeypatch.setattr(answers, "stored_value", looked)

    def new_round(self) -> None:
        self.barrier.reset()

    def arm(self) -> None:
        self.local.armed = True


def _load(client, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(text)}
    hidden["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)
    return hidden


def _race(app, meet: MeetAfterLooking, requests: dict) -> dict:
    """Send each request from its own thread, all at once, each in its own app context."""
    responses = {}
    go = threading.Barrier(len(requests), timeout=5)

    def send(name, request):
        with app.app_context():
            go.wait()
            meet.arm()
            responses[name] = request()

    threads = [threading.Thread(target=send, args=item) for item in requests.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def _stored(review_id: int) -> BookletAnswer | None:
    db.session.expire_all()
    booklet = db.session.scalar(db.select(Booklet).filter_by(review_id=review_id))
    return db.session.scalar(db.select(BookletAnswer).filter_by(booklet_id=booklet.id, question_key=QUESTION))


def test_an_autosave_and_a_form_post_racing_on_one_answer(app, monkeypatch):
    iro = f.staff("iro")
    review = f.review(f.child(iro, age=13, preferred_name="Sam"))
    url, _ = issue_booklet_link(review)
    db.session.commit()
    path = url.removeprefix("http://localhost")
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        start = device.post(path, data={"csrf_token": f.csrf_token(device, path)})
        assert start.status_code == 303
    meet = MeetAfterLooking(monkeypatch)
    acknowledged: list[str] = []
    winners = {"autosave": 0, "form": 0}

    for number in range(1, ROUNDS + 1):
        phone_page = _load(phone, f"/booklet/{QUESTION}")
        laptop_page = _load(laptop, f"/booklet/{QUESTION}")
        seen = int(laptop_page[f"{QUESTION}__version"])
        assert int(phone_page[f"{QUESTION}__version"]) == seen == number - 1
        typed = f"Typed on the phone, round {number}"
        pressed = f"Saved on the laptop, round {number}"
        meet.new_round()
        responses = _race(app, meet, {
            "autosave": partial(phone.post, "/booklet/answer", headers={"X-CSRFToken": phone_page["csrf_token"]},
                                json={"question_key": QUESTION, "state": "answered", "value": typed,
                                      "version": seen}),
            "form": partial(laptop.post, f"/booklet/{QUESTION}",
                            data={**laptop_page, QUESTION: pressed, "action": "next"}),
        })
        assert set(responses) == {"autosave", "form"}, f"round {number}: a request did not finish"

        auto, form = responses["autosave"], responses["form"]
        auto_saved = auto.status_code == 200 and auto.get_json()["status"] == "saved"
        auto_conflict = auto.status_code == 409 and auto.get_json()["status"] == "conflict"
        form_text = form.get_data(as_text=True)
        form_saved = form.status_code == 303
        form_conflict = form.status_code == 200 and all(words in form_text for words in CONFLICT_PAGE)
        assert auto_saved or auto_conflict, (number, auto.status_code, auto.get_data(as_text=True)[:300])
        assert form_saved or form_conflict, (number, form.status_code)
        # Exactly one is told "saved"; the other is told it conflicted.
        assert auto_saved != form_saved, f"round {number}: autosave saved={auto_saved}, form saved={form_saved}"
        assert auto_conflict == form_saved and form_conflict == auto_saved

        stored = _stored(review.id)
        winner = typed if auto_saved else pressed
        assert stored.value_text == winner, f"round {number}: told saved, but the stored words are others"
        assert stored.version == seen + 1
        if auto_saved:
            winners["autosave"] += 1
            assert auto.get_json()["version"] == seen + 1
            # The loser's page shows both: the words saved from the other device and its own.
            assert html.escape(typed) in form_text and html.escape(pressed) in form_text
        else:
            winners["form"] += 1
            assert auto.get_json()["theirs"] == {"state": "answered", "value": pressed, "version": seen + 1}
        acknowledged.append(winner)

    # Nothing acknowledged was lost: every round's acknowledged words were stored as that round's
    # version, and the last one is there now.
    assert len(acknowledged) == ROUNDS
    assert _stored(review.id).value_text == acknowledged[-1]
    assert _stored(review.id).version == ROUNDS
    assert sum(winners.values()) == ROUNDS
