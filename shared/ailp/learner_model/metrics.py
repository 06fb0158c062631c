"""The figures of the latest fit, as metrics of the process that fitted (the sweeper's scheduled
fit, or `ailp learner-model fit`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from ailp.learner_model.fitting import FitResult

FIT_DURATION = Gauge(
    "ailp_learner_model_fit_duration_seconds",
    "How long the latest learner-model fit took (reading, EM, evaluation)",
    multiprocess_mode="mostrecent",
)
FIT_AUC = Gauge(
    "ailp_learner_model_fit_auc",
    "Next-answer AUC of the latest fit on held-out learners",
    multiprocess_mode="mostrecent",
)
FIT_BASELINE_AUC = Gauge(
    "ailp_learner_model_fit_baseline_auc",
    "Next-answer AUC of the default parameters on the same held-out answers",
    multiprocess_mode="mostrecent",
)
FIT_LOG_LOSS = Gauge(
    "ailp_learner_model_fit_log_loss",
    "Next-answer log loss of the latest fit on held-out learners",
    multiprocess_mode="mostrecent",
)
FIT_VERSION = Gauge(
    "ailp_learner_model_fit_version",
    "The parameter version the latest fit stored",
    multiprocess_mode="mostrecent",
)
FIT_CONCEPTS = Gauge(
    "ailp_learner_model_fit_concepts",
    "Concepts the latest fit fitted (the others keep the defaults)",
    multiprocess_mode="mostrecent",
)
FITS = Counter("ailp_learner_model_fits_total", "Learner-model fits by outcome", ["outcome"])


def record(result: FitResult, version_id: int) -> None:
    evaluation = result.evaluation
    FIT_DURATION.set(result.version.duration_seconds)
    FIT_VERSION.set(version_id)
    FIT_CONCEPTS.set(len(result.parameters))
    for gauge, value in (
        (FIT_AUC, evaluation.auc),
        (FIT_BASELINE_AUC, evaluation.baseline_auc),
        (FIT_LOG_LOSS, evaluation.log_loss),
    ):
        gauge.set(value if value is not None else float("nan"))
    FITS.labels(outcome="stored").inc()
