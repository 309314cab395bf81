from tests.lapse import lapsing  # noqa: F401  (a fixture)
