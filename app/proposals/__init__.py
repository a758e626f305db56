"""Proposals: their content, proposers, lifecycle, versions and outcomes."""
