"""`flask users create` and `flask users import`."""

from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import User
from app.core.extensions import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def users(app) -> dict[str, list[str]]:
    with app.app_context():
        return {u.email: u.roles for u in db.session.scalars(select(User))}


def test_create_with_roles(app):
    result = run(
        app,
        "users",
        "create",
        "--email",
        "Karen@Example.org",
        "--name",
        "Karen Holm",
        "--password",
        "sekretariatet!",
        "--role",
        "member,secretariat",
    )
    assert result.exit_code == 0, result.output
    assert "created karen@example.org (citizen, member, secretariat)" in result.output
    with app.app_context():
        assert services.authenticate("karen@example.org", "sekretariatet!").name == "Karen Holm"


def test_create_defaults_to_citizen(app):
    result = run(
        app, "users", "create", "--email", "b@example.org", "--name", "B", "--password", "x" * 10
    )
    assert result.exit_code == 0, result.output
    assert users(app) == {"b@example.org": ["citizen"]}


def test_create_refuses_bad_input_and_saves_nothing(app, make_user):
    make_user(email="taken@example.org")
    cases = [
        (["--email", "b@example.org", "--name", "B", "--password", "short"], "at least 10"),
        (
            ["--email", "b@example.org", "--name", "B", "--password", "x" * 10, "--role", "king"],
            "unknown role king",
        ),
        (["--email", "not-an-email", "--name", "B", "--password", "x" * 10], "not an email"),
        (["--email", "b@example.org", "--name", " ", "--password", "x" * 10], "name"),
        (["--email", "taken@example.org", "--name", "B", "--password", "x" * 10], "already exists"),
    ]
    for args, message in cases:
        result = run(app, "users", "create", *args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert list(users(app)) == ["taken@example.org"]


def test_import_the_member_register(app, make_user, tmp_path):
    make_user(email="old@example.org")
    path = tmp_path / "medlemmer.csv"
    path.write_text(
        "email,name,role\nold@example.org,Old,member\nny@example.org,Ny Person,\n"
        "chef@example.org,Chef,member;secretariat\n",
        encoding="utf-8",
    )
    result = run(app, "users", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 new account(s), 1 existing" in result.output
    assert users(app) == {
        "old@example.org": ["citizen", "member"],
        "ny@example.org": ["citizen", "member"],
        "chef@example.org": ["citizen", "member", "secretariat"],
    }


def test_import_with_a_bad_row_imports_nothing_and_names_every_bad_line(app, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("a@example.org,Anna\nbroken,Bo\nc@example.org,Carl\nd@example.org,Dorte,boss\n")
    result = run(app, "users", "import", str(path))
    assert result.exit_code != 0
    assert f"{path}:2: not an email address" in result.output
    assert f"{path}:4: unknown role boss" in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_import_refuses_a_file_that_is_not_utf8(app, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("ø@example.org,Søren\n".encode("latin-1"))
    result = run(app, "users", "import", str(path))
    assert result.exit_code != 0
    assert "not UTF-8" in result.output
