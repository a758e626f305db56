"""The member register of a national party in one go: 100,000 rows (about 5.5 MB) in one
file, through the console and the command line, all or nothing, while every other
endpoint keeps its 1 MiB body limit."""

import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.accounts.models import User
from app.core.extensions import db
from tests.support.forms import client_for, csrf_token, text_of

ROWS = 100_000
MIB = 1024 * 1024


def register_csv(rows: int = ROWS, *, bad_line: int | None = None) -> bytes:
    """A register as a spreadsheet exports it: a BOM, a header and semicolons."""
    lines = ["\ufeffemail;name;role"]
    lines += [f"medlem{i:06d}@partiet.example.dk;Medlem Nummer {i:06d};member" for i in range(rows)]
    if bad_line is not None:
        lines[bad_line - 1] = "ikke-en-adresse;Bo Brok;member"
    return ("\r\n".join(lines) + "\r\n").encode()


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture(autouse=True)
def _truncate_the_register(app):
    """Emptying the tables row by row after a test checks every foreign key to users for
    each of 100,000 accounts: 45 s on PostgreSQL, 5 s on SQLite. TRUNCATE takes a moment,
    and so does SQLite's DELETE of a whole table when it checks no foreign keys."""
    yield
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("TRUNCATE users CASCADE"))
            return
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")  # outside a transaction
            try:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
                connection.commit()
            finally:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")


@pytest.fixture
def staff(app, secretary):
    return client_for(app, secretary)


def upload(client, data: bytes, action: str = "preview"):
    return client.post(
        "/secretariat/members",
        data={
            "csrf_token": csrf_token(client),
            "action": action,
            "register": (BytesIO(data), "medlemmer.csv"),
        },
        content_type="multipart/form-data",
    )


def test_the_whole_register_through_the_console(app, staff, secretary):
    data = register_csv()
    assert len(data) > 5 * MIB
    preview = upload(staff, data)
    assert preview.status_code == 200, text_of(preview)[:2000]
    page = text_of(preview)
    assert "100000 rækker er klar til import." in page
    assert "100000 nye konti" in page
    # The first rows, not a table of 100,000.
    assert page.count("<tr>") < 60 and "medlem000049@" in page and "medlem000050@" not in page
    assert len(preview.get_data()) < 100_000
    assert count_users(app) == 1  # a preview saves nothing
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    imported = staff.post(
        "/secretariat/members",
        data={"csrf_token": csrf_token(staff), "action": "import", "upload": token},
    )
    assert imported.status_code == 303
    assert "Importerede 100000 rækker: 100000 nye konti" in text_of(
        staff.get("/secretariat/members")
    )
    assert count_users(app) == ROWS + 1
    with app.app_context():
        person = db.session.scalar(
            select(User).where(User.email == "medlem099999@partiet.example.dk")
        )
        assert person.roles == ["citizen", "member"] and person.name == "Medlem Nummer 099999"
        assert person.password_hash is None and person.confirmed_at is None
    # The upload is gone once imported: pressing the button again imports nothing twice.
    again = staff.post(
        "/secretariat/members",
        data={"csrf_token": csrf_token(staff), "action": "import", "upload": token},
    )
    assert again.status_code == 422 and "allerede importeret" in text_of(again)
    # (Other tests' previews in this process may still wait there: only this one is gone.)
    kept = (Path(app.instance_path) / "imports").glob("*")
    assert [path for path in kept if token in path.name] == []


def test_a_bad_line_near_the_end_imports_nothing(app, staff):
    response = upload(staff, register_csv(bad_line=99_999), action="import")
    assert response.status_code == 422
    page = text_of(response)
    assert "Linje 99999: not an email address: &#39;ikke-en-adresse&#39;" in page
    assert "1 række skal rettes; intet er importeret." in page
    assert 'name="upload"' not in page  # nothing to import: the file is to be corrected
    assert count_users(app) == 1


def test_a_token_of_someone_else_or_made_up_finds_nothing(app, staff, make_user):
    page = text_of(upload(staff, register_csv(2000)))  # larger than the form shows
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    other = client_for(app, make_user("secretariat", name="Anden"))
    for client, value in ((other, token), (staff, "x" * 32), (staff, "../../secret_key")):
        response = client.post(
            "/secretariat/members",
            data={"csrf_token": csrf_token(client), "action": "import", "upload": value},
        )
        assert response.status_code == 422 and "Upload den igen" in text_of(response)
    assert count_users(app) == 2


def test_only_the_import_takes_more_than_1_mib(app, staff, make_user):
    big = register_csv(30_000)
    assert MIB < len(big) < 2 * MIB
    assert upload(staff, big).status_code == 200
    # Elsewhere, even for the secretariat, the body limit stays 1 MiB.
    for path in ("/secretariat/topics", "/proposals/new", "/language", "/logout"):
        response = staff.post(
            path,
            data={"csrf_token": csrf_token(staff), "name": "x" * (MIB + 10)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 413, path
    # And the import endpoint keeps it for anyone but the secretariat.
    member = client_for(app, make_user("member"))
    assert upload(member, big).status_code == 413
    assert upload(app.test_client(), big).status_code == 413
    # The import's own limit is 16 MiB.
    assert upload(staff, b"a@example.org,A\n" * (17 * MIB // 16)).status_code == 413
    assert count_users(app) == 2


def test_the_command_line_imports_100000_rows(app, tmp_path):
    path = tmp_path / "medlemmer.csv"
    path.write_bytes(register_csv())
    result = app.test_cli_runner().invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "100000 new account(s)" in result.output
    assert count_users(app) == ROWS


def test_the_command_line_with_a_bad_line_near_the_end_imports_nothing(app, tmp_path):
    path = tmp_path / "medlemmer.csv"
    path.write_bytes(register_csv(bad_line=99_999))
    result = app.test_cli_runner().invoke(args=["users", "import", str(path)])
    assert result.exit_code != 0
    assert f"{path}:99999: not an email address" in result.output
    assert count_users(app) == 0


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="the benchmark makes its own SQLite databases; it runs in the SQLite run",
)
def test_the_benchmark_runs(tmp_path):
    """bench/import-register, on a small register, so that it cannot rot."""
    import subprocess
    import sys

    from tests.support import ROOT

    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import-register"), "--rows", "1500"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environ,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "new accounts:" in result.stdout and "all existing:" in result.stdout
