"""The political catalogue: every proposal that reached its supporters, on screen and as a
PDF, and any public proposal as a PDF."""
