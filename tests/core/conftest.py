"""Fixtures of the input and API-policy tests."""

from __future__ import annotations

import pytest

from tests.helpers import RichWorld, build_rich_world


@pytest.fixture
def rich(db: None) -> RichWorld:
    """The rich world of tests/helpers.py: a plan with its parts, a second citizen."""
    return build_rich_world()
