"""The application factory: settings, extensions, blueprints, error pages and commands."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter

from app.core import config as settings
from app.core.database import keep_private, serialize_sqlite_writers
from app.core.extensions import babel, csrf, db, login_manager, migrate
from app.core.urls import public_url

ROOT = Path(__file__).resolve().parent.parent


def shipped(name: str) -> Path:
    """templates/, static/ or migrations/: inside the package when it was installed from a
    wheel (setup.py puts them there), else at the checkout's root beside app/."""
    inside = Path(__file__).resolve().parent / name
    return inside if inside.is_dir() else ROOT / name


class RowId(IntegerConverter):
    """`<int:…>` in every route: a positive id that fits the database's integer column, so
    /proposals/99999999999999999999 is a 404 rather than an overflow, written in ASCII
    digits only (Python's \\d and int() would read /proposals/１ as proposal 1)."""

    regex = r"[0-9]+"

    def __init__(self, url_map, fixed_digits=0, min=1, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app; `config` overrides what the environment says (tests use it)."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("FORSLAG_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(shipped("templates")),
        static_folder=str(shipped("static")),
    )
    environ = dict(os.environ)
    if config.get("SECRET_KEY"):
        environ["SECRET_KEY"] = config["SECRET_KEY"]
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment(environ, Path(app.instance_path)))
    app.config.update(config)
    app.config["PUBLIC_URL"] = settings.public_url(app.config["PUBLIC_URL"])
    if app.config.get("TRUSTED_HOSTS") is None and (
        app.config["PUBLIC_URL_GIVEN"] or "PUBLIC_URL" in config
    ):
        # Told its address, the site answers no other host (a 400): nothing a request
        # claims about where it is can find its way into a link.
        app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["PUBLIC_URL"]).hostname]
    # A server's connections can drop between requests, a SQLite file's cannot: a ping
    # before every request would cost each page a statement for nothing.
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": not uri.startswith("sqlite")}
    )
    keep_private(Path(app.instance_path), [uri, app.config["QUEUE_URL"]])
    app.url_map.converters["int"] = RowId

    register_extensions(app)
    register_blueprints(app)
    register_rate_limits(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    # Imported when an app is built, not with this package: every module of app/ imports
    # this package first, and a rule or a model must load without the whole site.
    from app.accounts.models import load_user
    from app.accounts.views import unauthorized
    from app.cli import worker
    from app.core import (
        caching,
        forms,
        i18n,
        organisation,  # noqa: F401 (its table)
        security,
    )

    db.init_app(app)
    with app.app_context():
        serialize_sqlite_writers(db.engine)
    migrate.init_app(app, db, directory=str(shipped("migrations")))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    i18n.init_app(app)
    forms.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    worker.init_app(app)
    app.jinja_env.globals["public_url"] = public_url


def register_blueprints(app: Flask) -> None:
    # Imported when an app is built, not with this package: every module of app/ imports
    # this package first, and a rule or a model must load without the whole site.
    from app.accounts.views import bp as accounts
    from app.amendments.views import bp as amendments
    from app.api.views import bp as api
    from app.catalogue.views import bp as catalogue
    from app.comments.views import bp as comments
    from app.feeds.views import bp as feeds
    from app.notifications.views import bp as notifications
    from app.opendata.views import bp as opendata
    from app.privacy.views import bp as account_data
    from app.proposals.views import bp as proposals
    from app.secretariat.views import bp as secretariat
    from app.site.views import bp as main

    app.register_blueprint(main)
    app.register_blueprint(accounts)
    app.register_blueprint(account_data)
    app.register_blueprint(proposals)
    app.register_blueprint(catalogue)
    app.register_blueprint(comments)
    app.register_blueprint(amendments)
    app.register_blueprint(secretariat)
    app.register_blueprint(api)
    app.register_blueprint(feeds)
    app.register_blueprint(notifications)
    app.register_blueprint(opendata)


def register_rate_limits(app: Flask) -> None:
    """After the blueprints: the limits are put on the views the blueprints registered."""
    from app.core import ratelimits  # as above: when an app is built

    ratelimits.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from app.core import errors  # as above: when an app is built

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    # Imported when an app is built, not with this package: every module of app/ imports
    # this package first, and a rule or a model must load without the whole site.
    from app.accounts.cli import users_cli
    from app.cli import backup, demo
    from app.proposals.cli import lifecycle_cli
    from app.proposals.search_cli import search_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(lifecycle_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(demo.demo_command)
    backup.init_app(app)
