"""ORM models: the schema every service shares. Import from here, e.g. `from ailp.models import Job`."""

from ailp.models.activity import ExerciseResponse, LearningSession
from ailp.models.analytics import AnalyticsResult, LearnerConceptState
from ailp.models.content import Content
from ailp.models.job import Job
from ailp.models.learner import Learner
from ailp.models.learner_model import LearnerModelConceptParams, LearnerModelVersion
from ailp.models.schedule import AnalyticsSchedule, BatchRun
from ailp.models.spend import ModelReservation, ModelSpendDay, UserModelSpendDay
from ailp.models.stats import AdminDailyConcepts, AdminHourlyStats, UserLastActive
from ailp.models.user import RevokedToken, User

__all__ = [
    "AdminDailyConcepts",
    "AdminHourlyStats",
    "AnalyticsResult",
    "AnalyticsSchedule",
    "BatchRun",
    "Content",
    "ExerciseResponse",
    "Job",
    "Learner",
    "LearnerConceptState",
    "LearnerModelConceptParams",
    "LearnerModelVersion",
    "LearningSession",
    "ModelReservation",
    "ModelSpendDay",
    "RevokedToken",
    "User",
    "UserLastActive",
    "UserModelSpendDay",
]
