"""Accounts' share of a person's data download and of erasing an account: their reset and
account links (when made and used; never the link). See app.core.personal_data."""

from __future__ import annotations

from sqlalchemy import Select

from app.accounts.models import AccountToken, PasswordResetToken
from app.core.personal_data import DELETE, by_id, own, rules, section


def _reset_links(user_id: int) -> Select:
    return own(
        PasswordResetToken,
        "user_id",
        PasswordResetToken.created_at,
        PasswordResetToken.expires_at,
        PasswordResetToken.used_at,
    )(user_id)


def _account_links(user_id: int) -> Select:
    return own(
        AccountToken,
        "user_id",
        AccountToken.purpose,
        AccountToken.new_email,
        AccountToken.created_at,
        AccountToken.expires_at,
        AccountToken.used_at,
    )(user_id)


section(("password_reset_links",), _reset_links, by_id("password_reset_tokens", "user_id"))
section(("account_links",), _account_links, by_id("account_tokens", "user_id"))
rules({("password_reset_tokens", "user_id"): DELETE, ("account_tokens", "user_id"): DELETE})
