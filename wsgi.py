"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from api import create_app
from api.config import ConfigError

try:
    app = create_app()
except ConfigError as error:  # one line, no traceback
    raise SystemExit(str(error)) from None
