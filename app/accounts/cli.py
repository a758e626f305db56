"""`flask users …`: create accounts and import the member register from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.accounts import member_register, services
from app.core.database import utcnow
from app.core.extensions import db
from app.core.text import has_forbidden_characters, is_email_address

users_cli = AppGroup("users", help="Create accounts and import the member register.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option(
    "--role",
    "role",
    default="citizen",
    show_default=True,
    help="Comma-separated: citizen, member, secretariat.",
)
def create_command(email: str, name: str, password: str, role: str) -> None:
    """Create an account."""
    try:
        roles = services.parse_roles(role)
    except services.AccountError as error:
        raise click.BadParameter(str(error), param_hint="--role") from None
    if not is_email_address(services.normalise_email(email)):
        raise click.BadParameter(f"not an email address: {email!r}", param_hint="--email")
    name = name.strip()
    if not name or len(name) > services.MAX_NAME_LENGTH or has_forbidden_characters(name):
        raise click.BadParameter(
            f"give a name of 1 to {services.MAX_NAME_LENGTH} characters", param_hint="--name"
        )
    try:
        user = services.create_user(
            email=email, name=name, password=password, roles=roles, now=utcnow()
        )
    except services.EmailTaken:
        raise click.ClickException(f"an account with {email} already exists") from None
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created {user.email} ({', '.join(user.roles)})")


@users_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import the member register from a CSV file of email, name and an optional role.

    Every row is checked first; when any row is bad, nothing is imported.
    """
    try:
        parsed = member_register.parse_file(path)
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text") from None
    if parsed.problems:
        for problem in parsed.problems:
            click.echo(f"{path}:{problem.line}: {problem.message}", err=True)
        raise click.ClickException(
            f"{len(parsed.problems)} bad row(s); nothing was imported. Fix them and run again."
        )
    report = member_register.import_members(parsed.rows, now=utcnow())
    db.session.commit()
    click.echo(
        f"imported {len(parsed.rows)} row(s): {len(report.created)} new account(s), "
        f"{len(report.updated)} existing account(s) given their role(s)."
    )
    if report.created:
        click.echo(
            "New accounts have no password yet: their owners choose one via 'Forgot password'."
        )
