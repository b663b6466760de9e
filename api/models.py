"""Imports every domain's models so that the metadata knows all tables."""

from api.accounts import models as accounts
from api.alerts import models as alerts
from api.catalogue import models as catalogue
from api.checkins import models as checkins
from api.database import Base
from api.notifications import models as notifications
from api.outcomes import models as outcomes
from api.programmes import models as programmes
from api.sessions import models as sessions
from api.sync import models as sync

__all__ = [
    "Base",
    "accounts",
    "alerts",
    "catalogue",
    "checkins",
    "notifications",
    "outcomes",
    "programmes",
    "sessions",
    "sync",
]
