# The catalog's picture folder fixture, for tests that load the demo shop.
from boutique.catalog.tests.conftest import media_root  # noqa: F401
