"""prior_order_count runs at every quote and every order placed (first-order
offers) and matches the email without case. At 200 000 orders it scanned the
whole table (85 ms a call, growing with the history: bench/README.md, issue
11); the expression index order_email_ci serves it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boutique.orders.models import Order
from boutique.orders.selectors import prior_order_count
from boutique.orders.tests.factories import order_factory

pytestmark = pytest.mark.django_db


def test_prior_order_count_matches_the_email_without_case():
    order_factory(email="Rania@Example.com")
    order_factory(email="rania@example.com", status="cancelled")
    assert prior_order_count(email="RANIA@example.COM") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_email_index_serves_prior_order_count():
    with CaptureQueriesContext(connection) as ctx:
        prior_order_count(email="someone@example.com")
    [sql] = [q["sql"] for q in ctx.captured_queries if "orders_order" in q["sql"]]
    with connection.cursor() as cursor:
        # Tiny test tables are scanned anyway; forbid that to see whether the
        # index can answer the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "order_email_ci" in plan, plan
    assert Order._meta.indexes[-1].name == "order_email_ci"
