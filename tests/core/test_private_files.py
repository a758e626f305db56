"""The instance folder and the SQLite files in it (the database, its write-ahead log, the
queue) are readable by their owner only: they hold every account and every opinion."""

import stat

import flask_migrate

from app import create_app
from app.core.extensions import db


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_site_keeps_its_files_to_itself(base_config, tmp_path):
    instance = tmp_path / "instance"
    config = {
        key: value
        for key, value in base_config.items()
        if key not in ("SQLALCHEMY_DATABASE_URI", "QUEUE_URL")
    }
    app = create_app({**config, "INSTANCE_PATH": str(instance),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'forslag.db'}",
                      "QUEUE_URL": f"sqlite:///{instance / 'queue.db'}"})  # fmt: skip
    with app.app_context():
        flask_migrate.upgrade()
        app.extensions["queue"].forslag_tell()  # the queue's file is written
        db.engine.dispose()
    assert _mode(instance) == 0o700
    for name in ("forslag.db", "forslag.db-wal", "forslag.db-shm", "queue.db"):
        path = instance / name
        if name.endswith(("-wal", "-shm")) and not path.exists():
            continue
        assert _mode(path) == 0o600, (name, oct(_mode(path)))
    assert (instance / "forslag.db").exists() and (instance / "queue.db").exists()


def test_files_made_before_are_made_private(base_config, tmp_path):
    instance = tmp_path / "old"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    for name in ("forslag.db", "forslag.db-wal", "queue.db"):
        (instance / name).touch()
        (instance / name).chmod(0o644)
    create_app({**base_config, "INSTANCE_PATH": str(instance),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'forslag.db'}",
                "QUEUE_URL": f"sqlite:///{instance / 'queue.db'}"})  # fmt: skip
    assert _mode(instance) == 0o700
    for name in ("forslag.db", "forslag.db-wal", "queue.db"):
        assert _mode(instance / name) == 0o600, name
