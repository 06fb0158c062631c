"""The learner model's parameters: BKT with forgetting, fitted per concept from real answers.

Lives in the shared `ailp` package because three kinds of process use it: the analytics worker
(reads the newest parameter version), the `ailp learner-model fit` command and the sweeper's
scheduled fit (both ship with every service image). The fit needs numpy; nothing here is imported
on the gateway's request path.
"""
