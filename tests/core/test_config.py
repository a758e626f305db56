"""Settings from the environment: durations, the database URL and the kept secret key."""

import threading
from datetime import timedelta

import pytest

from app import create_app
from app.core import config


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("12h", timedelta(hours=12)),
        ("30d", timedelta(days=30)),
        (" 2s ", timedelta(seconds=2)),
    ],
)
def test_durations(text, expected):
    assert config.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "d", "1w", "-5m", "1.5h", "5 days"])
def test_bad_durations_are_refused(text):
    with pytest.raises(config.ConfigError):
        config.parse_duration(text)


def test_defaults(tmp_path):
    settings = config.from_environment({}, tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'forslag.db'}"
    assert settings["SUPPORT_THRESHOLD"] == 50
    assert settings["SUPPORT_WINDOW"] == timedelta(days=30)
    assert settings["HEARING_WINDOW"] == timedelta(days=14)
    assert settings["MIN_PROPOSERS"] == 1
    assert settings["MAIL_URL"] == "console"
    assert settings["PDF_WORKERS"] is None


def test_environment_overrides(tmp_path):
    settings = config.from_environment(
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "FORSLAG_SUPPORT_THRESHOLD": "3",
            "FORSLAG_SUPPORT_WINDOW": "2s",
            "FORSLAG_HEARING_WINDOW": "90s",
            "FORSLAG_MIN_PROPOSERS": "2",
            "FORSLAG_PDF_WORKERS": "1",
            "SECRET_KEY": "k",
        },
        tmp_path,
    )
    assert settings["PDF_WORKERS"] == 1
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["SUPPORT_THRESHOLD"] == 3
    assert settings["SUPPORT_WINDOW"] == timedelta(seconds=2)
    assert settings["HEARING_WINDOW"] == timedelta(seconds=90)
    assert settings["MIN_PROPOSERS"] == 2
    assert settings["SECRET_KEY"] == "k"


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_bad_threshold_is_refused(tmp_path, value):
    with pytest.raises(config.ConfigError, match="FORSLAG_SUPPORT_THRESHOLD"):
        config.from_environment({"FORSLAG_SUPPORT_THRESHOLD": value}, tmp_path)
    with pytest.raises(config.ConfigError, match="FORSLAG_PDF_WORKERS"):
        config.from_environment({"FORSLAG_PDF_WORKERS": value}, tmp_path)


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = config.secret_key(tmp_path)
    assert len(first) == 64
    assert config.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_is_the_same_for_workers_starting_together(tmp_path):
    keys: list[str] = []
    barrier = threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(config.secret_key(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_app_without_secret_key_uses_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_connection_settings(app):
    """SQLite: foreign keys on, write-ahead log, a busy timeout. PostgreSQL: times with zones."""
    from sqlalchemy import text

    from app.core.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        else:
            column_type = db.session.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'users' AND column_name = 'created_at'"
                )
            ).scalar()
            assert column_type == "timestamp with time zone"
