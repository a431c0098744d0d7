"""Settings from SUS_ environment variables."""

import pytest

from app.config import Settings


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    import app.config as config

    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    monkeypatch.delenv("SUS_SECRET_KEY", raising=False)
    first = Settings().secret_key
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings().secret_key == first  # kept across restarts


def test_short_secret_key_is_refused(monkeypatch):
    monkeypatch.setenv("SUS_SECRET_KEY", "too-short")
    with pytest.raises(ValueError):
        Settings()


def test_database_url_defaults_to_sqlite_under_var(monkeypatch, tmp_path):
    import app.config as config

    monkeypatch.delenv("SUS_DATABASE_URL", raising=False)
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    assert Settings().database_url == f"sqlite:///{tmp_path / 'sus.db'}"


def test_plain_postgres_urls_use_psycopg3(monkeypatch):
    monkeypatch.setenv("SUS_DATABASE_URL", "postgresql://postgres@db:5432/sus")
    assert Settings().database_url == "postgresql+psycopg://postgres@db:5432/sus"
    monkeypatch.setenv("SUS_BASE_URL", "https://sus.kommune.dk")
    assert Settings().secure_cookies is True


def test_trusted_proxies_are_a_list_of_addresses_and_networks(monkeypatch):
    assert Settings().trusted_proxy_list == []  # none by default: X-Forwarded-For is ignored
    monkeypatch.setenv("SUS_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.1 ,2001:db8::/32")
    assert Settings().trusted_proxy_list == ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"]
    monkeypatch.setenv("SUS_TRUSTED_PROXIES", "10.0.0.0/8, proxy.kommune.dk")
    with pytest.raises(ValueError, match="proxy.kommune.dk"):
        Settings()
