"""`pip install .` without `make`: the wheel carries the compiled Danish catalogue, the
templates, the static files and the migrations, and a site installed from it speaks
Danish; and `<html lang>` always names the language a page is actually in."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT, require
from tests.support.forms import text_of

# What a build needs from the checkout: not the tests, the virtual environment, or what an
# earlier build left behind.
NOT_BUILT = shutil.ignore_patterns(
    ".git",
    ".venv",
    "tests",
    "bench",
    "docs",
    "build",
    "dist",
    "instance",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    "*.mo",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
)


def _can_build_wheels() -> bool:
    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    return importlib.util.find_spec("wheel") is not None or (major, minor) >= (70, 1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of the checkout, offline, with this environment's
    setuptools and Babel (no build isolation, so no index is needed)."""
    require(_can_build_wheels(), "the wheel package (pip install -e '.[test]')")
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_BUILT)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["-q", "-w", str(tmp / "dist"), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = (tmp / "dist").glob("forslag-*.whl")
    return built


# The wheel is the same whatever database the suite runs on, and the installed site below
# runs on a SQLite file of its own: the PostgreSQL run of the suite leaves these to the
# SQLite run rather than build and install the same wheel twice.
ONCE = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="the same wheel on SQLite; built and installed in the SQLite run",
)


@ONCE
@pytest.mark.packaging
def test_the_wheel_carries_the_catalogue_pages_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/translations/da/LC_MESSAGES/messages.mo" in names
    assert "app/templates/base.html" in names
    assert "app/templates/secretariat/import.html" in names
    assert "app/static/style.css" in names
    assert "app/migrations/env.py" in names and "app/migrations/alembic.ini" in names
    assert any(name.startswith("app/migrations/versions/0001_") for name in names)
    # Nothing at the top level of site-packages but the package itself.
    assert {name.split("/")[0] for name in names} == {"app", "forslag-0.1.0.dist-info"}


INSTALLED_SITE = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import app
    from flask_migrate import upgrade

    here = Path(sys.argv[1])
    assert Path(app.__file__).is_relative_to(here / "venv"), app.__file__
    site = app.create_app({
        "INSTANCE_PATH": here / "instance",
        "SECRET_KEY": "installed",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{here / 'forslag.db'}",
        "RATELIMIT_ENABLED": False,
    })
    assert Path(site.template_folder).is_relative_to(here / "venv"), site.template_folder
    with site.app_context():
        upgrade()
    client = site.test_client()
    page = client.get("/")
    assert page.status_code == 200, page.status_code
    print(page.get_data(as_text=True))
    css = client.get("/static/style.css")
    assert css.status_code == 200 and b"{" in css.get_data()
    """
)


@ONCE
@pytest.mark.packaging
def test_a_site_installed_from_the_wheel_speaks_danish(wheel, tmp_path):
    """Installed into a new virtual environment and run from outside the checkout: the
    migrations run, the front page is Danish and says so, the style sheet is served."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
        + ["--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # The dependencies come from this environment's site-packages, after the new one's:
    # a plain path, so that this environment's editable install of the checkout stays out.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "FLASK", "FORSLAG", "DATABASE"))
    }
    script = tmp_path / "site.py"
    script.write_text(INSTALLED_SITE)
    result = subprocess.run(
        [str(python), str(script), str(tmp_path)],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page = result.stdout
    assert '<html lang="da">' in page
    assert "Log ind" in page and "Opret konto" in page
    assert ">Log in<" not in page


# --- the page says the language it is in ---------------------------------------------------


def test_a_page_is_danish_and_says_so(app):
    page = text_of(app.test_client().get("/login"))
    assert '<html lang="da">' in page and "Log ind" in page


def test_without_the_danish_catalogue_a_page_is_english_and_says_so(app, make_app, tmp_path):
    """An installation whose catalogue was never compiled speaks English, and its pages
    say lang="en"; nobody is offered a Danish that is not there."""
    # Flask-Babel keeps the catalogues it loaded per process, for every app: the Danish
    # one is loaded from the real catalogue first, so that no later test finds an empty
    # one in its place.
    assert "Log ind" in text_of(app.test_client().get("/login"))
    site = make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    client = site.test_client()
    page = text_of(client.get("/login"))
    assert '<html lang="en">' in page and ">Log in<" in page
    assert 'value="da"' not in page  # no switch to a language the site does not have
    # Even a visitor who chose Danish before gets English, named as English.
    with client.session_transaction() as session:
        session["lang"] = "da"
    page = text_of(client.get("/login"))
    assert '<html lang="en">' in page and ">Log in<" in page
    with site.app_context():
        from app.core.i18n import select_locale

        assert select_locale() == "en"  # mail outside a request too
        # Mail written in a reader's chosen Danish is English too, and says so.
        from flask import render_template_string
        from flask_babel import force_locale

        with force_locale("da"):
            mail = render_template_string('<html lang="{{ current_language }}">')
        assert mail == '<html lang="en">'
