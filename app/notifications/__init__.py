"""Staying informed: follows, the events that happen to proposals, the notifications they
become for each person, and the mail that carries them.

The domains below record what happened (`events.record`) in their own transaction; the
worker turns each event into one notification per person told (`fanout`), as the table in
`rules` says, and delivers the mail (`delivery`, `digests`).
"""
