"""Imports every area's tables so that migrations and relationships see them all."""

from portal.audit.models import AuditEvent  # noqa: F401
from portal.booklet.models import (Booklet, BookletAnswer, ChildMessage, ScreeningWord,  # noqa: F401
                                   SectionSharing, UrgentConcern, VoiceNote)
from portal.links.models import PrivateLink  # noqa: F401
from portal.outbox.models import OutboxMessage  # noqa: F401
from portal.reviews.models import Child, Review  # noqa: F401
from portal.staff.models import Authority, StaffUser, Team  # noqa: F401
