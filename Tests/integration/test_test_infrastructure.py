"""The test infrastructure itself must fail loudly, never skip, when PostgreSQL is missing."""

from __future__ import annotations

import postgres_cluster
import pytest


def test_missing_postgres_binaries_raise_instead_of_skipping(monkeypatch, tmp_path):
    monkeypatch.setenv(postgres_cluster.BINDIR_ENV, str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))  # hides pg_config
    monkeypatch.setattr(postgres_cluster, "FALLBACK_BINDIRS", (str(tmp_path / "nothing"),))

    with pytest.raises(postgres_cluster.PostgresUnavailableError, match="initdb, pg_ctl, psql\\) not found"):
        postgres_cluster.find_bindir()


def test_the_cluster_refuses_the_application_role_without_its_password(postgres):
    import psycopg2

    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        postgres.connect(password="wrong").close()
    with pytest.raises(psycopg2.OperationalError):
        postgres.connect(password="").close()
