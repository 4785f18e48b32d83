"""What pyproject.toml cannot say: a wheel carries the checkout's top-level folders.

A checkout keeps templates/, static/ and migrations/ beside the kb package; a built wheel
ships them inside it (kb/templates, kb/static, kb/migrations), where kb.TEMPLATES, kb.STATIC
and kb.MIGRATIONS find them, and compiles kb/translations/*/LC_MESSAGES/messages.po to .mo
when Babel is there (it is a build requirement). Nothing moves in the checkout, and an
editable install (`make install`) keeps reading the checkout's folders.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("templates", "static", "migrations")  # kept in sync with kb.__init__
SKIP = {"__pycache__", ".DS_Store"}


def shipped_files(name: str) -> list[Path]:
    """The files under ``name``/ that belong in the wheel (no caches or compiled files)."""
    return sorted(
        p
        for p in (HERE / name).rglob("*")
        if p.is_file() and not SKIP & set(p.parts) and p.suffix not in (".pyc", ".pyo")
    )


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "kb"
        for name in SHIPPED:
            for source in shipped_files(name):
                target = package / source.relative_to(HERE)
                target.parent.mkdir(parents=True, exist_ok=True)
                self.copy_file(str(source), str(target))
        self._compile_catalogues(package / "translations")

    def _compile_catalogues(self, folder: Path) -> None:
        try:
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po
        except ImportError:  # a build without Babel ships the .po files only
            return
        for po in sorted(folder.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as handle:
                catalogue = read_po(handle, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalogue)


setup(cmdclass={"build_py": BuildWithData})
