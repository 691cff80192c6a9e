"""``celery -A kehu.celery worker``: kehu's Celery application (defined in ``kehu.core.celery_app``, where the
job API that sends to it may import it)."""

from kehu.core.celery_app import app, run_job  # noqa: F401

__all__ = ["app"]
