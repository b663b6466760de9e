"""Celery entry point: ``celery -A api.jobs.worker worker`` and ``celery -A api.jobs.worker beat``.

The worker builds the Flask app from the same environment variables as the web
server (``DATABASE_URL``, ``CELERY_BROKER_URL``, ``FCM_CREDENTIALS_FILE``, ...).
"""

from api import create_app
from api.jobs.dispatch import celery_app

flask_app = create_app()
celery = celery_app(flask_app)
