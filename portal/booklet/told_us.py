"""What the child agreed to share from their booklet, for the letter written to them after the review.

Registered with `portal.reviews.hooks.register_told_us` (the letters area may not import the booklet).
Only sections the child chose to share (a SectionSharing row with social worker or carer ticked) give
their answers; a section where the child chose "I'd rather tell my IRO myself" gives a marked line
with no text.
"""

from __future__ import annotations

from portal.booklet.answers import answer_in_words, ordered_answers, sharing_by_section
from portal.booklet.questions import question_set
from portal.reviews.models import Review


def told_us_lines(review: Review) -> list[tuple[str, str, bool]]:
    """(section title, the child's answers in words, marked tell-IRO) for this review's booklet."""
    booklet = review.booklet
    if booklet is None or booklet.withdrawn_at is not None:
        return []
    try:
        sections = question_set(booklet.question_set).sections
    except KeyError:
        return []
    sharing = sharing_by_section(booklet)
    shared = {key for key, row in sharing.items() if row.social_worker or row.carer}
    by_section: dict[str, list] = {}
    for answer in ordered_answers(booklet):
        by_section.setdefault(answer.section, []).append(answer)
    lines: list[tuple[str, str, bool]] = []
    for section in sections:
        answers = by_section.get(section.key, [])
        title = str(section.title)
        if section.key in shared:
            words = [answer_in_words(a) for a in answers if a.state == "answered"]
            text = "; ".join(word.strip() for word in words if word and word.strip())
            if text:
                lines.append((title, text, False))
        if any(a.state == "tell_iro" for a in answers):
            lines.append((title, "", True))
    return lines
