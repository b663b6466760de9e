"""``app.ensure_sync`` remembers what it learnt about a function, and answers as Flask's."""

from __future__ import annotations

import re

import pytest
from flask import Flask


def test_plain_functions_and_bound_methods_are_returned_as_they_are(app):
    def view():
        return "ok"

    class View:
        def get(self):
            return "ok"

    for _ in range(2):  # asked again: the same answer, from memory
        assert app.ensure_sync(view) is view
        method = View().get
        assert app.ensure_sync(method) is method


def test_a_coroutine_function_is_still_handed_to_flask(app):
    async def view():
        return "ok"

    for _ in range(2):
        try:
            expected = Flask.ensure_sync(app, view)
        except RuntimeError as error:  # Flask's answer without its async extra installed
            with pytest.raises(RuntimeError, match=re.escape(str(error))):
                app.ensure_sync(view)
        else:
            assert app.ensure_sync(view) is not view
            assert type(app.ensure_sync(view)) is type(expected)
