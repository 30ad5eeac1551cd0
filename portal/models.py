"""Imports every area's tables so that migrations and relationships see them all."""

from portal.audit import models as audit_models
from portal.booklet import models as booklet_models
from portal.consultation import models as consultation_models
from portal.feedback import models as feedback_models
from portal.insights import models as insights_models
from portal.letters import models as letters_models
from portal.links import models as links_models
from portal.outbox import models as outbox_models
from portal.reviews import models as reviews_models
from portal.safeguarding import models as safeguarding_models
from portal.staff import models as staff_models

AREAS = (audit_models, booklet_models, consultation_models, feedback_models, insights_models, letters_models,
         links_models, outbox_models, reviews_models, safeguarding_models, staff_models)
