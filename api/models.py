"""Imports every domain's models so that the metadata knows all tables."""

from api.accounts import models as accounts
from api.database import Base

__all__ = ["Base", "accounts"]
