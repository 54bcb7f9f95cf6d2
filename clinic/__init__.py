# Make sure the Celery app is loaded when Django starts, so that tasks declared with
# @shared_task bind to it (Celery's documented Django layout).
from .celery import app as celery_app

__all__ = ("celery_app",)
