"""The suite's fixtures and hooks, one plugin per concern (tests/conftest.py loads them)."""
