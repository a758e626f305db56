"""Backing up and restoring the database: `flask db backup FILE` and `flask db restore FILE`.

Both run while the app keeps serving. SQLite goes through SQLite's online backup API, so
the copy is a consistent snapshot and the restore replaces the pages under the app's open
connections, never the file under them. PostgreSQL goes through pg_dump's custom format
and a pg_restore in one transaction, so a restore that fails changes nothing. Either way a
FILE that is not a backup of the database's kind is refused before anything is touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate.cli import db as db_group
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from app.core.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# A request holds each table it has read until it ends, and the restore takes the tables
# one after another to drop them, so each can end up waiting for the other. PostgreSQL
# breaks such a deadlock after deadlock_timeout (1 s) by failing one of the two. When that
# is the restore, its transaction rolls back and it simply runs again. (pg_restore sets
# lock_timeout to 0 itself, so a shorter wait cannot make the restore the one to yield.)
RESTORE_ATTEMPTS = 5


def init_app(app: Flask) -> None:
    """Attach the backup commands to Flask-Migrate's `db` group."""
    # Flask-Migrate adds the one module-level group to every app it is bound to, and
    # create_app runs many times in one process: add the commands only once.
    for command in (backup_command, restore_command):
        if command.name not in db_group.commands:
            db_group.add_command(command)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
def backup_command(file: Path, force: bool) -> None:
    """Copy the whole database into FILE while the app keeps serving."""
    url = _database_url()
    if file.exists() and not force:
        raise click.ClickException(f"{file} already exists: pass --force to replace it.")
    if not file.parent.is_dir():
        raise click.ClickException(f"{file.parent} is not a folder.")
    if url.get_backend_name() == "sqlite":
        live = _sqlite_path(url)
        if file.resolve() in _sqlite_files(live):
            raise click.ClickException(f"{file} is the live database itself.")

        def write(target: Path) -> None:
            _sqlite_backup(live, target)

    else:

        def write(target: Path) -> None:
            _postgres_backup(url, target)

    _write_new_file(file, write, force=force)
    click.echo(f"Backed up {_describe(url)} to {file} ({file.stat().st_size} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing all data.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace all data in the database with the backup in FILE."""
    url = _database_url()
    if not file.is_file():
        raise click.ClickException(f"{file} does not exist or is not a file.")

    def confirm() -> None:
        if not yes:
            click.confirm(
                f"Replace ALL data in {_describe(url)} with the backup {file}?", abort=True
            )

    if url.get_backend_name() == "sqlite":
        problems = _sqlite_restore(_sqlite_path(url), file, confirm)
    else:
        problems = _postgres_restore(url, file, confirm)
    revision = _revision()
    click.echo(f"Restored {file} into {_describe(url)} (schema revision {revision}).")
    if problems is not None:
        if problems != ["ok"]:
            raise click.ClickException(
                "PRAGMA integrity_check after the restore reports:\n" + "\n".join(problems)
            )
        click.echo("PRAGMA integrity_check: ok")
    heads = ScriptDirectory(current_app.extensions["migrate"].directory).get_heads()
    if revision not in heads:
        click.echo(
            f"The code's schema is at {', '.join(heads)}: run `flask --app wsgi db upgrade`."
        )


# --- shared ----------------------------------------------------------------------------------


def _database_url() -> URL:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise click.ClickException(f"Cannot back up a {url.get_backend_name()} database.")
    return url


def _describe(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database}"
    return f"the PostgreSQL database {url.render_as_string(hide_password=True)}"


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _write_new_file(file: Path, write: Callable[[Path], None], *, force: bool) -> None:
    """Write into a temporary file beside FILE and move it into place only when complete,
    so a failed or interrupted backup never leaves a truncated FILE, nor destroys an old one.
    """
    # mkstemp makes the file readable by its owner only: a backup holds password hashes.
    handle, name = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        write(partial)
        if not force:
            try:  # claims the name atomically: a FILE made meanwhile is not replaced either
                file.open("xb").close()
            except FileExistsError:
                raise click.ClickException(
                    f"{file} already exists: pass --force to replace it."
                ) from None
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)


def _head(file: Path, size: int) -> bytes:
    with file.open("rb") as handle:
        return handle.read(size)


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> str:
    if url.database in (None, "", ":memory:"):
        raise click.ClickException("The database is in memory: there is nothing to back up.")
    return url.database


def _sqlite_files(live: str) -> set[Path]:
    """The live database's file and the files SQLite and the app keep beside it."""
    path = Path(live).resolve()
    suffixes = ("-wal", "-shm", "-journal", "-writer.lock")
    return {path, *(path.with_name(path.name + suffix) for suffix in suffixes)}


@contextlib.contextmanager
def _writers_held_off(live: str) -> Iterator[None]:
    """Hold the lock file every writer of the app takes first (app.core.database,
    `serialize_sqlite_writers`): the app's writers wait here rather than in SQLite's busy
    handler, whose timeout a long restore would outlast."""
    with open(f"{live}-writer.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _sqlite_backup(live: str, target: Path) -> None:
    if not Path(live).is_file():
        raise click.ClickException(f"There is no database at {live}.")
    try:
        with (
            contextlib.closing(sqlite3.connect(live)) as source,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            # All pages in one step, so one read transaction: in WAL mode that is a snapshot
            # of the last commit, taken without stopping the app's writers, which is why
            # the backup does not take their lock file.
            source.backup(copy, pages=-1)
            # One self-contained file, readable (and restorable) from read-only storage.
            copy.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
    except sqlite3.Error as error:
        raise click.ClickException(f"The backup failed: {error}") from None
    if problems != ["ok"]:
        raise click.ClickException("The copy fails PRAGMA quick_check:\n" + "\n".join(problems))


def _read_only(file: Path) -> str:
    return f"{file.resolve().as_uri()}?mode=ro"


def _check_sqlite_backup(file: Path) -> None:
    head = _head(file, len(SQLITE_MAGIC))
    if head.startswith(PGDUMP_MAGIC):
        raise click.ClickException(
            f"{file} is a PostgreSQL dump, but the database is SQLite: nothing was changed."
        )
    if head != SQLITE_MAGIC:
        raise click.ClickException(f"{file} is not a SQLite database: nothing was changed.")
    try:
        with contextlib.closing(sqlite3.connect(_read_only(file), uri=True)) as backup:
            problems = [row[0] for row in backup.execute("PRAGMA quick_check")]
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
            page_size = backup.execute("PRAGMA page_size").fetchone()[0]
            pages = backup.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.Error as error:
        raise click.ClickException(
            f"{file} cannot be read as a SQLite database ({error}): nothing was changed."
        ) from None
    # quick_check passes a file cut off in its last page when no table needed that page.
    if file.stat().st_size < pages * page_size:
        raise click.ClickException(
            f"{file} is cut off ({file.stat().st_size} bytes of {pages * page_size}): "
            "nothing was changed."
        )
    if problems != ["ok"]:
        raise click.ClickException(
            f"{file} fails PRAGMA quick_check: nothing was changed.\n" + "\n".join(problems)
        )
    if "alembic_version" not in tables:
        raise click.ClickException(
            f"{file} is not a backup of this app (it has no alembic_version table): "
            "nothing was changed."
        )


def _sqlite_restore(live: str, file: Path, confirm: Callable[[], None]) -> list[str]:
    """Copy the backup over the live database; return what PRAGMA integrity_check says."""
    if file.resolve() in _sqlite_files(live):
        raise click.ClickException(f"{file} is the live database itself.")
    _check_sqlite_backup(file)
    confirm()
    try:
        with (
            _writers_held_off(live),
            contextlib.closing(sqlite3.connect(_read_only(file), uri=True)) as backup,
            contextlib.closing(sqlite3.connect(live)) as database,
        ):
            database.execute("PRAGMA busy_timeout = 10000")
            # One step, one write transaction: the app's readers see the old data or the
            # new, and an error part way rolls back to the old. SQLite keeps the live file
            # in WAL mode and bumps its schema cookie, so open connections re-read it.
            backup.backup(database, pages=-1)
    except sqlite3.Error as error:
        raise click.ClickException(f"The restore failed, nothing was changed: {error}") from None
    with contextlib.closing(sqlite3.connect(live)) as database:
        return [row[0] for row in database.execute("PRAGMA integrity_check")]


# --- PostgreSQL ------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(
            f"{name} is not installed or not on PATH (Debian: apt-get install "
            "postgresql-client): nothing was changed."
        )
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq URL of `url` without its password, and an environment that carries it:
    on a command line every user of the machine could read the password in `ps`."""
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    # Bandit's B404/B603 warn of untrusted input reaching a shell: here the command is a
    # list, no shell runs, and the executable is the full path shutil.which found.
    return subprocess.run(  # noqa: S603  # nosec B603
        command, env=environment, capture_output=True, text=True, errors="replace", check=False
    )


def _postgres_backup(url: URL, target: Path) -> None:
    dsn, environment = _libpq(url)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}"]
    result = _run([*command, f"--dbname={dsn}"], environment)
    if result.returncode != 0:
        raise click.ClickException(f"pg_dump failed:\n{result.stderr.strip()}")


def _check_postgres_backup(file: Path, pg_restore: str) -> None:
    head = _head(file, len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        raise click.ClickException(
            f"{file} is a SQLite database, but the database is PostgreSQL: nothing was changed."
        )
    if not head.startswith(PGDUMP_MAGIC):
        raise click.ClickException(
            f"{file} is not a pg_dump custom-format archive: nothing was changed."
        )
    listing = _run([pg_restore, "--list", str(file)], dict(os.environ))
    if listing.returncode != 0:
        raise click.ClickException(
            f"{file} cannot be read by pg_restore: nothing was changed.\n" + listing.stderr.strip()
        )
    if not re.search(r"\bTABLE \S+ alembic_version\b", listing.stdout):
        raise click.ClickException(
            f"{file} is not a backup of this app (it has no alembic_version table): "
            "nothing was changed."
        )


def _postgres_restore(url: URL, file: Path, confirm: Callable[[], None]) -> None:
    pg_restore = _tool("pg_restore")
    _check_postgres_backup(file, pg_restore)
    confirm()
    dsn, environment = _libpq(url)
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={dsn}",
        str(file),
    ]
    for attempt in range(1, RESTORE_ATTEMPTS + 1):
        result = _run(command, environment)
        if result.returncode == 0:
            return None
        if "deadlock detected" not in result.stderr or attempt == RESTORE_ATTEMPTS:
            raise click.ClickException(
                f"pg_restore failed, nothing was changed:\n{result.stderr.strip()}"
            )
        click.echo("The restore and the app's requests deadlocked; trying again.", err=True)
        time.sleep(0.1 * attempt)
    return None
