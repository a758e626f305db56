"""`flask demo`: fill an empty database with a Danish demo to click through."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import User
from app.database import utcnow
from app.extensions import db

DEMO_PASSWORD = "forslag-demo"  # noqa: S105 (printed for everyone: it is the demo)

# (name, email, roles)
DEMO_USERS = [
    ("Karen Holm", "sekretariat@example.org", {"member", "secretariat"}),
    ("Mette Nørgaard", "mette@example.org", {"member"}),
    ("Jens Kristensen", "jens@example.org", {"member"}),
    ("Aisha Rahimi", "aisha@example.org", {"member"}),
    ("Søren Østergaard", "soren@example.org", {"member"}),
    ("Lærke Bech", "laerke@example.org", {"member"}),
    ("Peter Borger", "borger@example.org", set()),
]


def load_demo() -> list[User]:
    """Create the demo accounts; the caller commits."""
    now = utcnow()
    return [
        accounts.create_user(email=email, name=name, password=DEMO_PASSWORD, roles=roles, now=now)
        for name, email, roles in DEMO_USERS
    ]


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Fill an empty database with a realistic Danish demo."""
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has accounts; the demo was not loaded.")
    else:
        load_demo()
        db.session.commit()
        click.echo("Demo loaded.")
    if accounts.find_by_email(DEMO_USERS[0][1]) is None:
        return
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for name, email, roles in DEMO_USERS:
        label = ", ".join(sorted(roles)) or "citizen"
        click.echo(f"  {email:<28} {name:<20} {label}")
