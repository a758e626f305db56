"""Amendments (ændringsforslag): members propose new wording for a proposal in hearing,
other members back it, and the proposers decide; the decisions are the record."""
