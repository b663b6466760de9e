"""Imports every domain's models so that the metadata knows all tables."""

from api.accounts import models as accounts
from api.alerts import models as alerts
from api.catalogue import models as catalogue
from api.checkins import models as checkins
from api.database import Base
from api.programmes import models as programmes

__all__ = ["Base", "accounts", "alerts", "catalogue", "checkins", "programmes"]
