"""The PostgreSQL connection the server opens: persistent, and without JIT compilation.

JIT compilation made list pages of a grown trial pay 100 to 500 ms per statement once the
planner's cost passed its threshold (about 10,000 subjects); the server turns it off.
"""

import pytest
from django.conf import settings
from django.db import connection

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")


@postgres_only
@pytest.mark.django_db
def test_statements_are_not_jit_compiled():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@postgres_only
def test_connections_are_kept_between_requests():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
