"""The member register as plain Python: reading it as a stream, and importing it in bulk."""

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.accounts import member_register, services
from app.accounts.models import User
from app.core.extensions import db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session


def test_register_with_header_semicolons_and_bom():
    parsed = member_register.parse_member_register(
        "\ufeffemail;name;role\nmette@example.org;Mette Nørgaard;\n"
        "jens@example.org;Jens Kristensen;member,secretariat\n\n"
    )
    assert parsed.problems == []
    assert [(r.line, r.email, r.name, r.roles) for r in parsed.rows] == [
        (2, "mette@example.org", "Mette Nørgaard", {"member"}),
        (3, "jens@example.org", "Jens Kristensen", {"member", "secretariat"}),
    ]


def test_register_reports_every_bad_line_with_its_number():
    parsed = member_register.parse_member_register(
        "a@example.org,Anna\n"
        "not-an-email,Bo\n"
        "c@example.org,\n"
        "d@example.org,Dorte,chief\n"
        "A@example.org,Anna again\n"
        "e@example.org,Eva,member,extra\n"
        "f@example.org\n"
        "g@example.org,G\x00\n"
    )
    assert [r.email for r in parsed.rows] == ["a@example.org"]
    assert [p.line for p in parsed.problems] == [2, 3, 4, 5, 6, 7, 8]
    messages = " | ".join(p.message for p in parsed.problems)
    assert "not an email address" in messages
    assert "name is missing" in messages
    assert "chief" in messages
    assert "already on line 1" in messages


def test_a_byte_stream_is_read_row_by_row_with_its_bom_tabs_and_line_numbers():
    data = (
        "\ufeffEmail\tName\tRole\r\n"
        'a@example.org\t"Anna\r\nHolm"\t\r\n'  # a quoted name over two lines
        "b@example.org\tBo\tsecretariat\r\n"
        "broken\tCarl\t\r\n"
    ).encode()

    class OneLineAtATime(io.BytesIO):
        """Refuses to hand over the whole file at once."""

        def read(self, size=-1):
            assert 0 < size < len(data), "read in blocks, not whole"
            return super().read(size)

    with member_register.text_stream(OneLineAtATime(data)) as text:
        parsed = member_register.parse_member_register(text)
    assert [(r.line, r.email) for r in parsed.rows] == [(3, "a@example.org"), (4, "b@example.org")]
    assert parsed.rows[1].roles == {"secretariat"}
    assert [(p.line, p.message) for p in parsed.problems] == [(5, "not an email address: 'broken'")]


def test_a_stream_that_is_not_utf8_says_so():
    stream = member_register.text_stream(
        io.BytesIO("a@example.org,Anna\nø@example.org,Søren\n".encode("latin-1"))
    )
    with pytest.raises(UnicodeDecodeError):
        member_register.parse_member_register(stream)


def test_import_creates_new_accounts_and_grants_roles_to_existing(ctx):
    services.create_user(email="old@example.org", name="Old", password="x" * 10, now=NOW)
    services.create_user(email="staff@example.org", name="Staff", password="x" * 10, now=NOW)
    parsed = member_register.parse_member_register(
        "old@example.org,Old Name Ignored,secretariat\nnew@example.org,New Member\n"
        "staff@example.org,Staff,member\nchef@example.org,Chef,member;secretariat\n"
    )
    report = member_register.import_members(parsed.rows, now=NOW)
    assert report.created == ["new@example.org", "chef@example.org"]
    assert report.updated == ["old@example.org", "staff@example.org"]
    old = services.find_by_email("old@example.org")
    new = services.find_by_email("new@example.org")
    assert old.roles == ["citizen", "secretariat"] and old.name == "Old"
    assert services.find_by_email("staff@example.org").roles == ["citizen", "member"]
    assert services.find_by_email("chef@example.org").roles == ["citizen", "member", "secretariat"]
    # They confirm their address by choosing a password through "forgot password".
    assert new.roles == ["citizen", "member"] and new.password_hash is None
    assert new.confirmed_at is None and new.created_at == NOW and new.language == "da"
    assert old.password_hash is not None


def test_import_in_bulk_runs_a_statement_per_thousand_rows_not_per_row(ctx, app):
    from sqlalchemy import event

    services.create_user(email="m0@example.org", name="M", password="x" * 10, now=NOW)
    text = "".join(f"m{i}@example.org,Medlem {i}\n" for i in range(2500))
    parsed = member_register.parse_member_register(text)
    statements = []
    engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        report = member_register.import_members(parsed.rows, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(report.created) == 2499 and report.updated == ["m0@example.org"]
    assert len(statements) <= 3 + 3 + 1 + 2  # look up, insert, update (and a flush)
    assert ctx.scalar(select(func.count()).select_from(User).where(User.is_member)) == 2500


def test_the_fast_address_check_agrees_with_the_apps():
    from app.core.text import is_email_address

    samples = [
        "a@example.org",
        "o'brien@example.dk",
        "a@b",
        "@example.org",
        "a@@example.org",
        "a@.org.",
        "a b@example.org",
        "a\u00a0b@example.org",
        "a\u2003@example.org",
        "a\x1c@example.org",
        "x" * 250 + "@e.dk",
        "æøå@eksempel.dk",
    ]
    assert [member_register.is_email_address(s) for s in samples] == [
        is_email_address(s) for s in samples
    ]
