import importlib

import pytest
from django.apps import apps

from boutique.kids.models import SizeBand

_initial = importlib.import_module("boutique.kids.migrations.0001_initial")


def ensure_default_size_chart() -> None:
    """The migration's default chart. A transactional test (browser, races)
    flushes the tables it was seeded into; tests that read it call this."""
    if not SizeBand.objects.exists():
        _initial.seed_size_chart(apps, None)


@pytest.fixture(autouse=True)
def default_size_chart(request):
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        ensure_default_size_chart()
