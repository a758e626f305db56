"""What the packages above proposals add to a proposal's pages, registered by them: the
proposal pages cannot import comments or notifications (they build on proposals), so each
adds its own part here when it is loaded.

- VIEWER_COLUMNS: a column of the one query that reads what the signed-in viewer has done
  on a proposal (`participation.viewer_state`): name -> f(user_id, proposal_id), an SQL
  expression. Notifications adds "following".
- TOPIC_COLUMNS: a column of the one query that reads the topics for the list's filter:
  name -> f(user_id), an SQL expression correlated to Topic. Notifications adds "followed".
- DETAIL_PARTS: what the detail page shows beside the proposal: f(proposal, viewer, args)
  -> template values (it may abort with a 400 or 404 for its own arguments). Comments adds
  the discussion.
"""

from __future__ import annotations

from collections.abc import Callable

VIEWER_COLUMNS: dict[str, Callable] = {}
TOPIC_COLUMNS: dict[str, Callable] = {}
DETAIL_PARTS: list[Callable] = []


def viewer_column(name: str):
    """Decorator: `f(user_id, proposal_id)` is the viewer's column `name`."""

    def register(column: Callable) -> Callable:
        VIEWER_COLUMNS[name] = column
        return column

    return register


def topic_column(name: str):
    """Decorator: `f(user_id)` is each topic's column `name` for that viewer."""

    def register(column: Callable) -> Callable:
        TOPIC_COLUMNS[name] = column
        return column

    return register


def detail_part(part: Callable) -> Callable:
    """Decorator: `part(proposal, viewer, args)` adds values to the detail page."""
    if part not in DETAIL_PARTS:
        DETAIL_PARTS.append(part)
    return part
