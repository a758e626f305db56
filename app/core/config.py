"""Turn the environment into settings: database, secrets, mail and the lifecycle's windows."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ValueError):
    """A setting in the environment cannot be understood."""


def parse_duration(text: str) -> timedelta:
    """Read a duration written as `90s`, `15m`, `12h` or `30d`."""
    match = _DURATION.match(text or "")
    if not match:
        raise ConfigError(f"not a duration: {text!r} (write e.g. 90s, 15m, 12h or 30d)")
    amount, unit = match.groups()
    return timedelta(seconds=int(amount) * _UNIT_SECONDS[unit])


def _positive_int(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {text!r}") from None
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, not {value}")
    return value


def secret_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, creating it once.

    Several gunicorn workers may start at the same moment: the key is written to a
    private temporary file and linked into place, so exactly one of them wins and
    every worker reads the same key.
    """
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        tmp = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {text!r}")
    return value


def _whole_number(name: str, text: str) -> int:
    if not text.strip().isdigit():
        raise ConfigError(f"{name} must be a whole number from 0, not {text!r}")
    return int(text)


DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def public_url(text: str) -> str:
    """The site's address as links in mail, feeds and the API start: scheme and host, and a
    path if the site lives under one; no query, no fragment, no trailing slash."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"FORSLAG_PUBLIC_URL must be an http(s) address such as "
            f"https://forslag.example.dk, not {text!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"FORSLAG_PUBLIC_URL must be a plain address, not {text!r}")
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def queue_url(text: str | None, instance_path: Path) -> str:
    """Where the worker's queue lives: `redis://…`, or a SQLite file (the default)."""
    if not text:
        return f"sqlite:///{instance_path / 'queue.db'}"
    if text.startswith(("redis://", "rediss://", "unix://")):
        return text
    if text.startswith("sqlite:///") and len(text) > len("sqlite:///"):
        return text
    raise ConfigError(
        f"FORSLAG_QUEUE_URL must be redis://host:6379/1 or sqlite:///path, not {text!r}"
    )


def from_environment(environ: Mapping[str, str], instance_path: Path) -> dict:
    """Build the settings mapping create_app starts from."""
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'forslag.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": environ.get("SECRET_KEY") or secret_key(instance_path),
        "MAIL_URL": environ.get("MAIL_URL", "console"),
        "MAIL_FROM": environ.get("MAIL_FROM", "Forslag <noreply@localhost>"),
        "SUPPORT_THRESHOLD": _positive_int(
            "FORSLAG_SUPPORT_THRESHOLD", environ.get("FORSLAG_SUPPORT_THRESHOLD", "50")
        ),
        "SUPPORT_WINDOW": parse_duration(environ.get("FORSLAG_SUPPORT_WINDOW", "30d")),
        "HEARING_WINDOW": parse_duration(environ.get("FORSLAG_HEARING_WINDOW", "14d")),
        "MIN_PROPOSERS": _positive_int(
            "FORSLAG_MIN_PROPOSERS", environ.get("FORSLAG_MIN_PROPOSERS", "1")
        ),
        # Backers a not-adopted amendment needs to go with its proposal to support.
        "MINORITY_THRESHOLD": _positive_int(
            "FORSLAG_MINORITY_THRESHOLD", environ.get("FORSLAG_MINORITY_THRESHOLD", "10")
        ),
        "PAGE_CACHE_SECONDS": parse_duration(
            environ.get("FORSLAG_PAGE_CACHE_SECONDS", "5s")
        ).total_seconds(),
        "PASSWORD_RESET_VALID_FOR": parse_duration(
            environ.get("FORSLAG_PASSWORD_RESET_VALID_FOR", "1h")
        ),
        # How long a registration may wait for its confirmation before it is forgotten.
        "ACCOUNT_CONFIRM_VALID_FOR": parse_duration(
            environ.get("FORSLAG_ACCOUNT_CONFIRM_VALID_FOR", "3d")
        ),
        "HTTPS": _choice("FORSLAG_HTTPS", environ.get("FORSLAG_HTTPS", "auto"), ("auto", "always")),
        "TRUSTED_PROXIES": _whole_number(
            "FORSLAG_TRUSTED_PROXIES", environ.get("FORSLAG_TRUSTED_PROXIES", "0")
        ),
        "RATELIMIT_ENABLED": _choice(
            "FORSLAG_RATE_LIMITS", environ.get("FORSLAG_RATE_LIMITS", "on"), ("on", "off")
        )
        == "on",
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        # Several sites may count in one Redis: each under its own prefix.
        "RATELIMIT_KEY_PREFIX": environ.get("RATELIMIT_KEY_PREFIX") or "forslag",
        "PUBLIC_URL": public_url(environ.get("FORSLAG_PUBLIC_URL") or DEFAULT_PUBLIC_URL),
        # Only a site that was told its address turns other hosts away (create_app).
        "PUBLIC_URL_GIVEN": bool(environ.get("FORSLAG_PUBLIC_URL")),
        "QUEUE_URL": queue_url(environ.get("FORSLAG_QUEUE_URL"), instance_path),
        # Several sites may queue in one Redis: each under its own name.
        "QUEUE_NAME": environ.get("FORSLAG_QUEUE_NAME") or "forslag",
        # The first wait before trying a mail again while the server is down; it doubles
        # with each failure, up to an hour.
        "MAIL_RETRY_AFTER": parse_duration(environ.get("FORSLAG_MAIL_RETRY_AFTER", "30s")),
        # How many processes lay out a long PDF (the catalogue) side by side; unset: up to
        # 2 of the cores (app.core.pdf.pdf_workers). 1 lays it out in the request's own process.
        "PDF_WORKERS": _positive_int("FORSLAG_PDF_WORKERS", environ["FORSLAG_PDF_WORKERS"])
        if environ.get("FORSLAG_PDF_WORKERS")
        else None,
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Far above any form's longest text (50,000 characters); bigger bodies get a 413.
    # A view that takes an upload may raise it for its own request.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    # Werkzeug's scrypt: salted and memory-hard. Tests may choose a cheaper method.
    "PASSWORD_HASH_METHOD": "scrypt",
    "BABEL_DEFAULT_LOCALE": "da",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
}
