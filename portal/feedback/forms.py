"""The feedback forms' posts. The answers themselves are read as questionnaire data
(portal.questionnaires.answers.read_posted); these forms only guard the post."""

from __future__ import annotations

from flask_wtf import FlaskForm


class YoungPersonFeedbackForm(FlaskForm):
    """The young person's form, inside their own link session: a security token from the session."""


class LinkFeedbackForm(FlaskForm):
    """A parent's or professional's form, posted to their link (/l/<token>) by someone with no session.

    No token from a session: the link is the secret, and the link views take posts only from this
    portal's own pages (portal.security.sessionless_form).
    """

    class Meta:
        csrf = False
