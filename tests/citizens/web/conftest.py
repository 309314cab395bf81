"""The pages here are asked for in Danish; the language a request activates stays active in
the thread afterwards, so each test hands the next one the default language back."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_after() -> Iterator[None]:
    yield
    translation.deactivate()
