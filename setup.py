"""The package build's own step (the rest is in pyproject.toml): `pip install .` gives a site
that speaks Danish and finds its pages.

- The Danish catalogue is compiled from app/translations/*/LC_MESSAGES/messages.po (the
  .mo files are never committed): into the wheel, and into the checkout for an editable
  install (`pip install -e .`, as `make install` does).
- templates/, static/ and migrations/ live at the checkout's root, beside app/. A wheel
  carries them inside the package, as app/templates, app/static and app/migrations, where
  create_app looks first; an editable install finds them at the root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("templates", "static", "migrations")


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Write messages.mo beside every messages.po under `source`, mirrored under `target`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=po.parent.parent.name)
        with mo.open("wb") as handle:
            write_mo(handle, catalogue)
        written.append(mo)
    return written


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        translations = HERE / "app" / "translations"
        if getattr(self, "editable_mode", False):
            # The package is the checkout itself: the catalogue is compiled where it is.
            compile_catalogues(translations, translations)
            return
        package = Path(self.build_lib) / "app"
        compile_catalogues(translations, package / "translations")
        for name in SHIPPED:
            target = package / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(
                HERE / name,
                target,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildWithCatalogues})
