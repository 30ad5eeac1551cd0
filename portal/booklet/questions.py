"""The booklet's questions as versioned data (the schema is portal.questionnaires.schema).

A question set is never edited once children have answered it: new wording is a new set
(for example '12-17/2'), and each answer records the set it answered, so it keeps its wording.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.booklet.houses import THREE_HOUSES_PICTURES
from portal.questionnaires.kinds import character_count_texts
from portal.questionnaires.schema import Option, Question, QuestionSet, Section

# Beside every question the child may skip it, or say they would rather tell their IRO themselves.
ALTERNATIVES = ("skipped", "tell_iro")

FACES = (
    Option("great", _l("Really happy"), "😀"),
    Option("good", _l("Happy"), "🙂"),
    Option("okay", _l("Okay"), "😐"),
    Option("not_good", _l("Not happy"), "🙁"),
    Option("bad", _l("Really unhappy"), "😢"),
)

SAFE_OPTIONS = (
    Option("yes", _l("Yes, I feel safe")),
    Option("not_always", _l("Not always")),
    Option("no", _l("No, I do not feel safe")),
)
UNSAFE = frozenset({"not_always", "no"})

ATTEND_OPTIONS = (
    Option("in_person", _l("I will come to the meeting")),
    Option("online", _l("I will join online or by phone")),
    Option("part", _l("I will come for part of it")),
    Option("not_attending", _l("I will not come, but this booklet will tell my IRO what I think")),
    Option("someone_speaks", _l("I will not come, and someone will speak for me")),
    Option("not_sure", _l("I am not sure yet")),
)

CHAIR_OPTIONS = (
    Option("chair", _l("Yes, I would like to chair it")),
    Option("co_chair", _l("I would like to chair it with my IRO")),
    Option("no", _l("No, I would like my IRO to chair it")),
    Option("not_sure", _l("I am not sure; I would like to talk about it")),
)

ADVOCATE_OPTIONS = (
    Option("yes", _l("Yes, please")),
    Option("already", _l("I already have one")),
    Option("no", _l("No, thank you")),
    Option("not_sure", _l("I would like to know more")),
)

SOCIAL_WORKER_OPTIONS = (
    Option("yes", _l("Yes")),
    Option("sometimes", _l("Sometimes")),
    Option("no", _l("No")),
)

HELPER_OPTIONS = (
    Option("alone", _l("I did it on my own")),
    Option("carer", _l("My carer")),
    Option("social_worker", _l("My social worker")),
    Option("advocate", _l("An advocate or Children's Rights Officer")),
    Option("family", _l("Someone in my family")),
    Option("other", _l("Someone else")),
)


def _about_me(young: bool) -> Section:
    return Section("about_me", _l("About me"),
                   _l("This helps everyone talk about you in the way you like."),
                   (
                       Question("preferred_name", "short", _l("What name do you like to be called?")),
                       Question("pronouns", "short", _l("What pronouns should people use for you?"),
                                hint=_l("For example she/her, he/him or they/them. You can leave this.")),
                       Question("words", "text",
                                _l("Are there words you want people to use?") if young else
                                _l("Which words do you want people to use about your life?"),
                                hint=_l("For example 'family time' or 'mum time' instead of 'contact', "
                                        "or 'home' instead of 'placement'.")),
                   ))


def _meeting(young: bool) -> Section:
    questions = [
        Question("where_when", "text", _l("Where and when would you like your meeting to be?"),
                 hint=_l("For example at home, at school, after school, online.")),
        Question("attend", "choice", _l("How will you take part?"), options=ATTEND_OPTIONS),
        Question("who_comes", "text", _l("Who would you like to be there?")),
        Question("who_not", "text", _l("Is there anyone you do not want to be there?")),
    ]
    if not young:
        questions.append(Question("chair", "choice", _l("Would you like to chair your meeting, or chair it with your IRO?"),
                                  hint=_l("Chairing means you lead the meeting: you say what gets talked about and when."),
                                  options=CHAIR_OPTIONS))
    questions += [
        Question("talk_about", "text", _l("What do you want to talk about?"), voice=True),
        Question("not_discussed", "text", _l("Is there anything you do not want talked about in the meeting?")),
    ]
    return Section("my_meeting", _l("My meeting"), _l("Your review is your meeting. You can say how you want it to be."),
                   tuple(questions))


def _going(young: bool) -> Section:
    def faces(key, prompt):
        return Question(key, "faces", prompt, options=FACES)

    questions = [
        faces("home", _l("How are things at home?")),
        Question("home_more", "text", _l("Tell us more about home, if you want to")),
        faces("school", _l("How are things at school?") if young else _l("How are things at school, college or work?")),
        Question("school_more", "text", _l("Tell us more about school, if you want to")),
        faces("health", _l("How are you feeling in your body and your mind?")),
        faces("family_friends", _l("How is family time and seeing your friends?")),
        Question("family_more", "text", _l("Tell us more about your family and friends, if you want to")),
        Question("enjoy", "text", _l("What do you enjoy doing?")),
        Question("see_social_worker", "choice", _l("Do you see your social worker enough?"), options=SOCIAL_WORKER_OPTIONS),
        Question("social_worker_listens", "choice", _l("Does your social worker listen to you?"), options=SOCIAL_WORKER_OPTIONS),
        Question("iro_listens", "choice", _l("Does your IRO listen to you?"), options=SOCIAL_WORKER_OPTIONS),
    ]
    return Section("how_things_are", _l("How things are going"), None, tuple(questions))


def _good_news() -> Section:
    return Section("good_news", _l("Good news"), _l("Something to celebrate, big or small."),
                   (Question("good_news", "text", _l("What has gone well since your last review?"), voice=True),))


def _worries(young: bool) -> Section:
    return Section("worries", _l("Worries"),
                   _l("If you write that you are not safe, your IRO will be told straight away so they can help. "
                      "This cannot be kept secret."),
                   (
                       Question("feel_safe", "choice", _l("Do you feel safe where you live?"), options=SAFE_OPTIONS,
                                urgent_choices=UNSAFE),
                       Question("worries", "text", _l("Is anything worrying you?") if young else
                                _l("Is anything worrying you, or is anything not going well?"), voice=True),
                   ))


def _help() -> Section:
    return Section("help", _l("Help"), None, (
        Question("advocate", "choice",
                 _l("Would you like someone to help you say what you want? (an advocate or Children's Rights Officer)"),
                 hint=_l("An advocate is someone who is only on your side. They can help you say what you think, "
                         "or say it for you."),
                 options=ADVOCATE_OPTIONS),
        Question("helper", "choice", _l("Who helped you fill this in?"), options=HELPER_OPTIONS),
    ))


def _next() -> Section:
    return Section("next", _l("What I want to happen next"), None, (
        Question("next", "text", _l("What would you like to happen next?"), voice=True),
        Question("anything_else", "text", _l("Is there anything else you want your IRO to know?")),
    ))


THREE_HOUSES = QuestionSet("4-7/1", "4-7", alternatives=ALTERNATIVES, sections=(
    Section("about_me", _l("About me"), _l("Do this with a grown-up you trust."), (
        Question("preferred_name", "short", _l("What do you like to be called?")),
        Question("feeling", "faces", _l("How do you feel today?"), options=FACES),
    )),
    Section("good_things", _l("My house of good things"),
            _l("What is good in your life? Who makes you happy?"),
            (Question("good_things", "text", _l("Good things"), hint=_l("A grown-up can write down what you say."),
                      voice=True),),
            house=True),
    Section("worries", _l("My house of worries"),
            _l("What worries you? If you are not safe, your IRO will be told straight away so they can help."),
            (
                Question("feel_safe", "choice", _l("Do you feel safe?"), options=(
                    Option("yes", _l("Yes")), Option("not_always", _l("Not always")), Option("no", _l("No")),
                ), urgent_choices=UNSAFE),
                Question("worries", "text", _l("Worries"), hint=_l("A grown-up can write down what you say."), voice=True),
            ),
            house=True),
    Section("dreams", _l("My house of dreams"),
            _l("What would you like to happen? What are your wishes?"),
            (Question("dreams", "text", _l("Dreams and wishes"), hint=_l("A grown-up can write down what you say."),
                      voice=True),),
            house=True),
    Section("my_meeting", _l("My meeting"), None, (
        Question("attend", "choice", _l("Will you come to your meeting?"), options=(
            Option("in_person", _l("Yes")), Option("not_attending", _l("No")), Option("not_sure", _l("Not sure")),
        )),
        Question("who_comes", "text", _l("Who would you like to be there?")),
    )),
    Section("help", _l("Help"), None, (
        Question("helper", "choice", _l("Who helped you?"), options=HELPER_OPTIONS),
    )),
))

COUNT_THRESHOLD = 75  # per cent of the box's limit: the count shows only past it


def near_limit_count_texts(limit: int) -> dict:
    """The GOV.UK character count's usual words, shown only near the end of the box (its threshold)."""
    return {**character_count_texts(limit), "threshold": COUNT_THRESHOLD}


def young_count_texts(limit: int) -> dict:
    """The GOV.UK character count's words for the short booklets: shown only near the end of the box (its
    threshold), and never the word 'characters'. '%{count}' is filled in by its script."""
    return {"threshold": COUNT_THRESHOLD,
            "textareaDescriptionText": _("You can write a lot here."),
            "charactersUnderLimitText": {"one": _("Room for %{count} more letter"),
                                         "other": _("Room for %{count} more letters")},
            "charactersAtLimitText": _("The box is full"),
            "charactersOverLimitText": {"one": _("%{count} letter too many"),
                                        "other": _("%{count} letters too many")}}


# The first 4-11 booklet (27 questions in 7 parts): kept so its answers keep their wording.
MIDDLE_FIRST = QuestionSet("4-11/1", "4-11", alternatives=ALTERNATIVES, sections=(
    _about_me(young=True), _meeting(young=True), _going(young=True), _good_news(), _worries(young=True),
    _help(), _next(),
))

# Will you come to your meeting: the same keys as ATTEND_OPTIONS (they suggest the PN code), in fewer words.
ATTEND_OPTIONS_YOUNG = (
    Option("in_person", _l("Yes, I will come")),
    Option("online", _l("I will join on a screen or by phone")),
    Option("part", _l("I will come for part of it")),
    Option("not_attending", _l("No. This booklet will say what I think")),
    Option("someone_speaks", _l("No. Someone will speak for me")),
    Option("not_sure", _l("I am not sure yet")),
)

# Ages 4 to 11, short and kind: 12 questions in 5 parts, a picture on each, about 10 minutes. The keys are
# those of the 12-17 booklet where the meaning is the same, so the IRO and the collated views read them alike.
MIDDLE = QuestionSet("4-11/2", "4-11", alternatives=ALTERNATIVES, sections=(
    Section("about_me", _l("About me"), _l("Tell us a little about you."), (
        Question("preferred_name", "short", _l("What do you like to be called?"),
                 hint=_l("You can also say if people should call you he, she or they.")),
        Question("feeling", "faces", _l("How are you feeling?"), options=FACES),
    ), picture="me"),
    Section("my_meeting", _l("My meeting"), _l("Your review is a meeting about you. You can say how you want it to be."), (
        Question("attend", "choice", _l("Will you come to your meeting?"), options=ATTEND_OPTIONS_YOUNG),
        Question("who_comes", "text", _l("Who would you like to be there?")),
        Question("talk_about", "text", _l("What do you want to talk about?"), voice=True),
    ), picture="family"),
    Section("how_things_are", _l("How things are"), _l("Tap the face that fits best."), (
        Question("home", "faces", _l("How are things at home?"), options=FACES),
        Question("school", "faces", _l("How are things at school?"), options=FACES),
        Question("family_friends", "faces", _l("How is family time and seeing your friends?"), options=FACES),
    ), picture="home"),
    Section("worries", _l("Worries and feeling safe"),
            _l("If you tell us you are not safe, the person who runs your meeting will be told straight away "
               "so they can help. This cannot be kept secret."), (
        Question("feel_safe", "choice", _l("Do you feel safe where you live?"), options=SAFE_OPTIONS,
                 urgent_choices=UNSAFE),
        Question("worries", "text", _l("Is anything worrying you?"), voice=True),
    ), picture="safe"),
    Section("good_news", _l("Good news and wishes"), _l("Something to be proud of, and what you wish for."), (
        Question("good_news", "text", _l("What has gone well for you?"), voice=True),
        Question("next", "text", _l("What would you like to happen next?"), voice=True),
    ), picture="wish"),
))

TEENS = QuestionSet("12-17/1", "12-17", alternatives=ALTERNATIVES, sections=(
    _about_me(young=False), _meeting(young=False), _going(young=False), _good_news(), _worries(young=False),
    _help(), _next(),
))

QUESTION_SETS: dict[str, QuestionSet] = {qs.id: qs for qs in (THREE_HOUSES, THREE_HOUSES_PICTURES, MIDDLE_FIRST, MIDDLE, TEENS)}
# The set a new booklet of each version uses.
CURRENT_SET = {"4-7": THREE_HOUSES_PICTURES.id, "4-11": MIDDLE.id, "12-17": TEENS.id}
VERSION_NAMES = {
    "4-7": _l("Three Houses (ages 4 to 7)"),
    "4-11": _l("Ages 4 to 11"),
    "12-17": _l("Ages 12 to 17"),
}


def question_set(set_id: str) -> QuestionSet:
    """A question set by its id; a KeyError means an unknown set, never a guess."""
    return QUESTION_SETS[set_id]
