"""The Celery side of the platform: queue and task names, the app factory, raw publishing."""
