"""Accounts: people, their roles, logging in and resetting a password."""
