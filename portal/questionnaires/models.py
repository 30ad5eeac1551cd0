"""The shape every answer table shares: one narrow, typed row per answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from portal.questionnaires.schema import Question


class AnswerColumns:
    """Columns for one answer to one question. Mix into a model that adds its id, its owner's
    foreign key and a unique constraint on (owner, question_key).

    Exactly one value column is used: `value_choice` for an option's key (short and indexed, so
    SQL can count choices), `value_text` for typed words or several choices (see kinds.py).
    """

    question_set: Mapped[str] = mapped_column(String(20))
    question_key: Mapped[str] = mapped_column(String(60))
    section: Mapped[str] = mapped_column(String(30))
    # 'answered', or the state of an alternative ('skipped', 'tell_iro')
    state: Mapped[str] = mapped_column(String(10), default="answered")
    value_choice: Mapped[str | None] = mapped_column(String(40), index=True)
    value_text: Mapped[str | None] = mapped_column(Text)
    # Counts up on every change: a stale page cannot silently overwrite a newer answer.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def put(self, question: Question, state: str, value: str | None) -> None:
        """Store a state and its value in the column the question's kind uses."""
        column = question.answer_kind.column if state == "answered" else None
        self.state = state
        self.value_choice = value if column == "choice" else None
        self.value_text = value if column == "text" else None
