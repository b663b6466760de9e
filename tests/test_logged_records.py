"""The records a POST answers with without reading them back (``LoggedCheckIn``,
``LoggedSession``) carry every column of their table: a column added to the model and not
to the record would be missing from the answer."""

from __future__ import annotations

from dataclasses import fields

from api.checkins.models import CheckIn
from api.checkins.service import LoggedCheckIn
from api.sessions.models import ExerciseSession
from api.sessions.service import LoggedSession


def test_a_logged_check_in_has_every_column_of_a_check_in():
    assert {f.name for f in fields(LoggedCheckIn)} == set(CheckIn.__table__.columns.keys())


def test_a_logged_session_has_every_column_of_a_session_and_its_entries():
    columns = set(ExerciseSession.__table__.columns.keys())
    assert {f.name for f in fields(LoggedSession)} == columns | {"entries"}
