"""The shape every answer table shares: one narrow, typed row per answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from portal.questionnaires.schema import Question


class AnswerValue:
    """The answer itself: which question, its state and its value. Mix into a model that adds its id, its
    owner's foreign key and a unique constraint on (owner, question_key). Anonymous answers (feedback)
    use this alone: no version and no time of their own.

    Exactly one value column is used: `value_choice` for an option's key (short and indexed, so
    SQL can count choices), `value_text` for typed words or several choices (see kinds.py).
    """

    question_key: Mapped[str] = mapped_column(String(60))
    # 'answered', or the state of an alternative ('skipped', 'tell_iro')
    state: Mapped[str] = mapped_column(String(10), default="answered")
    value_choice: Mapped[str | None] = mapped_column(String(40), index=True)
    value_text: Mapped[str | None] = mapped_column(Text)

    def put(self, question: Question, state: str, value: str | None) -> None:
        """Store a state and its value in the column the question's kind uses."""
        column = question.answer_kind.column if state == "answered" else None
        self.state = state
        self.value_choice = value if column == "choice" else None
        self.value_text = value if column == "text" else None


class AnswerColumns(AnswerValue):
    """An answer that is changed over time (the booklet): the set and section it answered, and a version
    that counts up on every change, so a stale page cannot silently overwrite a newer answer."""

    question_set: Mapped[str] = mapped_column(String(20))
    section: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
