"""Atom feeds of proposals."""
