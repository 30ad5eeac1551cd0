"""Three Houses for ages 4 to 7, drawn with pictures (question set '4-7/2').

One thing per screen: each section holds one question, so the section page shows one thing at a time.
A 5-year-old can do it all by tapping pictures and faces: a house of good things, a house of worries and
a house of dreams, filled with tapped pictures ('pictures': several, stored like checkboxes), and faces or
yes/no pictures for one answer ('picture_choice': stored as a choice). Words and voice notes are optional
screens after each house; a grown-up can type what the child says.

The keys are those of the first Three Houses set ('4-7/1') and the older booklets where the meaning is the
same (feeling, feel_safe, attend, helper), so the IRO and the collated views read them alike; `feel_safe`
keeps its urgent choices, so "No" or "Not always" reach a person at once, as in every booklet. In the house
of worries, "I do not feel safe" and "Someone hurts me" are urgent too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.questionnaires.schema import ANSWERED, Option, Question, QuestionSet, Section

# As in every booklet (portal.booklet.questions, which registers this set, so it cannot be imported here):
# beside every question the child may skip it or tell their IRO themselves; not feeling safe, or not
# always, is urgent.
ALTERNATIVES = ("skipped", "tell_iro")
UNSAFE = frozenset({"not_always", "no"})

GOOD, WORRIES, DREAMS = "good", "worries", "dreams"
HOUSES = (GOOD, WORRIES, DREAMS)

FACE_PICTURES = (
    Option("great", _l("Really happy"), picture="face_great"),
    Option("good", _l("Happy"), picture="face_good"),
    Option("okay", _l("Okay"), picture="face_okay"),
    Option("not_good", _l("Not happy"), picture="face_not_good"),
    Option("bad", _l("Really unhappy"), picture="face_bad"),
)

GOOD_PICTURES = (
    Option("family", _l("My family"), picture="family"),
    Option("friends", _l("My friends"), picture="friends"),
    Option("home", _l("My home"), picture="home"),
    Option("school", _l("School"), picture="school"),
    Option("pets", _l("Pets"), picture="pets"),
    Option("play", _l("Playing"), picture="play"),
    Option("toys", _l("Toys"), picture="toys"),
    Option("games", _l("Games"), picture="games"),
    Option("sport", _l("Sport"), picture="sport"),
    Option("music", _l("Music"), picture="music"),
    Option("books", _l("Books and stories"), picture="books"),
    Option("drawing", _l("Drawing"), picture="drawing"),
    Option("outside", _l("Being outside"), picture="outside"),
    Option("food", _l("Food"), picture="food"),
    Option("holiday", _l("Days out"), picture="holiday"),
    Option("screen_time", _l("Tablet or TV"), picture="screen_time"),
)

WORRY_PICTURES = (
    Option("sad", _l("Feeling sad"), picture="sad"),
    Option("angry", _l("Feeling angry"), picture="angry"),
    Option("scared", _l("Feeling scared"), picture="scared"),
    Option("lonely", _l("Feeling lonely"), picture="lonely"),
    Option("not_safe", _l("I do not feel safe"), picture="not_safe"),
    Option("hurt", _l("Someone hurts me"), picture="hurt"),
    Option("family", _l("My family"), picture="family"),
    Option("friends", _l("Friends"), picture="friends"),
    Option("home", _l("Home"), picture="home"),
    Option("school", _l("School"), picture="school"),
    Option("moving", _l("Moving house"), picture="moving"),
    Option("sleep", _l("Sleeping"), picture="sleep"),
    Option("food", _l("Food"), picture="food"),
    Option("doctor", _l("Being poorly"), picture="doctor"),
)
# Tapped in the house of worries, these reach a person at once.
URGENT_WORRIES = frozenset({"not_safe", "hurt"})

SAFE_PICTURES = (
    Option("yes", _l("Yes, I feel safe"), picture="safe"),
    Option("not_always", _l("Not always"), picture="not_always"),
    Option("no", _l("No, I do not feel safe"), picture="not_safe"),
)

DREAM_PICTURES = (
    Option("family", _l("More time with my family"), picture="family"),
    Option("stay", _l("Stay where I live"), picture="stay"),
    Option("friends", _l("More friends"), picture="friends"),
    Option("pets", _l("A pet"), picture="pets"),
    Option("holiday", _l("A holiday"), picture="holiday"),
    Option("birthday", _l("A party"), picture="birthday"),
    Option("sport", _l("Do more sport"), picture="sport"),
    Option("music", _l("Learn music"), picture="music"),
    Option("school", _l("Do well at school"), picture="school"),
    Option("be_good_at", _l("Be good at something"), picture="be_good_at"),
    Option("grow_up", _l("A job when I grow up"), picture="grow_up"),
    Option("travel", _l("Go somewhere new"), picture="travel"),
    Option("wish", _l("A wish of my own"), picture="wish"),
)

ATTEND_PICTURES = (
    Option("in_person", _l("Yes"), picture="yes"),
    Option("not_attending", _l("No"), picture="no"),
    Option("not_sure", _l("Not sure"), picture="not_sure"),
)

HELPER_PICTURES = (
    Option("alone", _l("I did it on my own"), picture="on_my_own"),
    Option("carer", _l("My carer"), picture="carer"),
    Option("social_worker", _l("My social worker"), picture="social_worker"),
    Option("family", _l("Someone in my family"), picture="family"),
    Option("advocate", _l("An advocate"), picture="advocate"),
    Option("other", _l("Someone else"), picture="someone_else"),
)

_WORDS_HINT = _l("You can record your voice, or a grown-up can write what you say. You can leave this.")


def _words(key: str, prompt, house: str, title) -> Section:
    return Section(key, title, None, (Question(key, "text", prompt, hint=_WORDS_HINT, voice=True),), house=house)


THREE_HOUSES_PICTURES = QuestionSet("4-7/2", "4-7", alternatives=ALTERNATIVES, sections=(
    Section("about_me", _l("About me"), None, (
        Question("preferred_name", "short", _l("What do you like to be called?"),
                 hint=_l("A grown-up can type it for you. You can leave this.")),
    ), house="", picture="name"),
    Section("feeling", _l("How I feel"), None, (
        Question("feeling", "picture_choice", _l("How do you feel today?"), options=FACE_PICTURES),
    ), house="", picture="happy"),
    Section("good_things", _l("My house of good things"), None, (
        Question("good_things", "pictures", _l("What is good in your life? Tap the pictures."),
                 options=GOOD_PICTURES),
    ), house=GOOD),
    _words("good_words", _l("Do you want to say more about good things?"), GOOD, _l("More good things")),
    Section("worries", _l("My house of worries"), None, (
        Question("worries", "pictures", _l("What worries you? Tap the pictures."), options=WORRY_PICTURES,
                 urgent_choices=URGENT_WORRIES),
    ), house=WORRIES),
    Section("feel_safe", _l("Feeling safe"), None, (
        Question("feel_safe", "picture_choice", _l("Do you feel safe?"), options=SAFE_PICTURES,
                 urgent_choices=UNSAFE,
                 hint=_l("If you are not safe, your IRO will be told straight away so they can help.")),
    ), house=WORRIES),
    _words("worry_words", _l("Do you want to say more about your worries?"), WORRIES, _l("More worries")),
    Section("dreams", _l("My house of dreams"), None, (
        Question("dreams", "pictures", _l("What do you wish for? Tap the pictures."), options=DREAM_PICTURES),
    ), house=DREAMS),
    _words("dream_words", _l("Do you want to say more about your dreams?"), DREAMS, _l("More dreams")),
    Section("my_meeting", _l("My meeting"), None, (
        Question("attend", "picture_choice", _l("Will you come to your meeting?"), options=ATTEND_PICTURES),
    ), house="", picture="family"),
    Section("help", _l("Who helped me"), None, (
        Question("helper", "picture_choice", _l("Who helped you?"), options=HELPER_PICTURES),
    ), house="", picture="carer"),
))

# The contents page's path: each stop and the sections it leads to (the first is where its button goes).
PATH = (
    ("me", _l("Me"), "me", ("about_me", "feeling")),
    (GOOD, _l("Good things"), "happy", ("good_things", "good_words")),
    (WORRIES, _l("Worries"), "worried", ("worries", "feel_safe", "worry_words")),
    (DREAMS, _l("Dreams"), "wish", ("dreams", "dream_words")),
    ("meeting", _l("My meeting"), "family", ("my_meeting", "help")),
)

DRAWN_AS_HOUSES = frozenset({THREE_HOUSES_PICTURES.id})


def drawn_as_houses(set_id: str) -> bool:
    """Whether a booklet's pages are drawn as the picture houses (house.html and its contents and check)."""
    return set_id in DRAWN_AS_HOUSES

TEMPLATES = {"section": "booklet/house.html", "contents": "booklet/houses_contents.html",
             "check": "booklet/houses_check.html"}


def template(set_id: str, page: str) -> str:
    """The template of a booklet page ('section', 'contents', 'check'): the houses' own for their sets."""
    return TEMPLATES[page] if drawn_as_houses(set_id) else f"booklet/{page}.html"


@dataclass(frozen=True)
class HousePages:
    """What the houses' pages draw from a booklet's answers: the pictures chosen, house by house."""

    qs: QuestionSet
    answers: Mapping

    def chosen(self, question: Question) -> list[Option]:
        """The options a picture question's saved answer chose, in the question's order."""
        answer = self.answers.get(question.key)
        if answer is None or answer.state != ANSWERED or question.kind not in PICTURE_KINDS:
            return []
        keys = (question.answer_kind.selected(answer.value_text) if question.kind == "pictures"
                else [answer.value_choice])
        return [option for option in question.options if option.key in keys]

    def filled(self, house: str) -> list[Option]:
        """The pictures tapped into one house (its 'pictures' questions)."""
        return [option for section in self.qs.sections if section.house == house
                for question in section.questions if question.kind == "pictures"
                for option in self.chosen(question)]

    @property
    def house_of(self) -> dict[str, str]:
        return {section.key: section.house or "" for section in self.qs.sections}

    @property
    def path(self) -> tuple:
        return PATH


PICTURE_KINDS = frozenset({"pictures", "picture_choice"})


def context(qs: QuestionSet, answers: Callable[[], Mapping]) -> dict:
    """Extra context for a booklet page: `houses` for the picture sets, nothing for the others."""
    return {"houses": HousePages(qs, answers())} if drawn_as_houses(qs.id) else {}
