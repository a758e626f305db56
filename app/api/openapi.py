"""The OpenAPI description of /api/v1, kept beside the views it describes."""

from __future__ import annotations

from app.proposals import lifecycle as lc


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


TIME = {"type": "string", "format": "date-time"}
SUPPORT = {
    "type": "object",
    "required": ["count", "threshold", "deadline"],
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "threshold": _nullable({"type": "integer", "minimum": 1}),
        "deadline": _nullable(TIME),
    },
}
SUMMARY_PROPERTIES = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "summary": {"type": "string"},
    "state": {"type": "string", "enum": list(lc.STATES)},
    "topic": {"type": "string"},
    "proposer_count": {"type": "integer", "minimum": 1},
    "support": SUPPORT,
    "likes": {"type": "integer", "minimum": 0},
    "comment_count": {"type": "integer", "minimum": 0},
    "created_at": TIME,
    "updated_at": TIME,
    "state_changed_at": TIME,
    "hearing_ends_at": _nullable(TIME),
    "url": {"type": "string"},
}
SUMMARY = {
    "type": "object",
    "required": list(SUMMARY_PROPERTIES),
    "properties": SUMMARY_PROPERTIES,
}
# A list item when q is given: the summary and its snippet.
HIT = {
    **SUMMARY,
    "properties": {
        **SUMMARY_PROPERTIES,
        "snippet": {
            "type": "string",
            "description": "With q only: a short piece of the text around the best match, "
            "as escaped HTML with the matching words in <mark>.",
        },
    },
}
DETAIL = {
    "type": "object",
    "required": [*SUMMARY_PROPERTIES, "proposers", "stances", "timeline"],
    "properties": {
        **SUMMARY_PROPERTIES,
        "body": {"type": "string"},
        "body_html": {"type": "string"},
        "drawbacks": {"type": "string"},
        "process": {"type": "string"},
        "materials": {"type": "string"},
        "organisations": {"type": "array", "items": {"type": "string"}},
        "proposers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["position", "name"],
                "properties": {"position": {"type": "integer"}, "name": {"type": "string"}},
            },
        },
        "stances": {
            "type": "object",
            "required": ["for", "against", "abstain"],
            "properties": {
                k: {"type": "integer", "minimum": 0} for k in ("for", "against", "abstain")
            },
        },
        "version_count": {"type": "integer", "minimum": 0},
        "timeline": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from", "to", "actor", "reason", "at"],
                "properties": {
                    "from": _nullable({"type": "string"}),
                    "to": {"type": "string"},
                    "actor": {"type": "string"},
                    "reason": {"type": "string"},
                    "at": TIME,
                },
            },
        },
        "outcomes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "text": {"type": "string"},
                },
            },
        },
    },
}
COUNTS = {
    "type": "object",
    "required": ["for", "against", "abstain"],
    "properties": {
        "for": {"type": "integer", "minimum": 0},
        "against": {"type": "integer", "minimum": 0},
        "abstain": {"type": "integer", "minimum": 0},
    },
}
AMENDMENT = {
    "type": "object",
    "required": [
        "id",
        "proposal_id",
        "url",
        "author",
        "fields",
        "state",
        "verdict",
        "reason",
        "backers",
        "minority",
        "stances",
        "created_at",
        "decided_at",
    ],
    "properties": {
        "id": {"type": "integer"},
        "proposal_id": {"type": "integer"},
        "url": {"type": "string"},
        "author": {"type": "string", "description": "The name as the site shows it."},
        "fields": {
            "type": "array",
            "items": {"type": "string", "enum": list(lc.AMENDABLE_FIELDS)},
            "description": "The parts of the hearing version it changes.",
        },
        "state": {"type": "string", "enum": list(lc.AMENDMENT_STATES)},
        "verdict": _nullable({"type": "string", "enum": list(lc.AMENDMENT_VERDICTS)}),
        "reason": {"type": "string"},
        "backers": {"type": "integer", "minimum": 0},
        "minority": {
            "type": "boolean",
            "description": "Not adopted, and backed by enough members to go with the "
            "proposal to support.",
        },
        "stances": _nullable(
            {**COUNTS, "description": "Where members stand: minority amendments only."}
        ),
        "created_at": TIME,
        "decided_at": _nullable(TIME),
    },
}
ERROR = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "message": {"type": "string"},
    },
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def spec(server: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Forslag API",
            "version": "1",
            "description": "Read-only access to the public proposals. Draft and submitted "
            "proposals are visible only to their proposers, invited members and the secretariat.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/proposals": {
                "get": {
                    "summary": "List proposals",
                    "operationId": "listProposals",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "required": False,
                            "description": "One of the states; empty means all.",
                            "schema": {"type": "string", "enum": ["", *lc.STATES]},
                        },
                        {
                            "name": "topic",
                            "in": "query",
                            "required": False,
                            "description": "A topic's id or name.",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "description": "Full-text search in Danish over the title, summary, "
                            "text, drawbacks and organisations: every word must match (in any "
                            'form: "høringen" finds "høringer"); "quoted words" in a row; '
                            "word* as a prefix. Other syntax is read as plain words.",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "sort",
                            "in": "query",
                            "required": False,
                            "description": "relevance (the default with q) or newest (the "
                            "default without q: the latest change of stage first).",
                            "schema": {"type": "string", "enum": ["", "relevance", "newest"]},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100000},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": [
                                    "items",
                                    "page",
                                    "pages",
                                    "per_page",
                                    "total",
                                    "total_exact",
                                ],
                                "properties": {
                                    "items": {"type": "array", "items": HIT},
                                    "page": {"type": "integer"},
                                    "pages": {"type": "integer"},
                                    "per_page": {"type": "integer"},
                                    "total": {"type": "integer"},
                                    "total_exact": {
                                        "type": "boolean",
                                        "description": "False when more proposals match q "
                                        "than a search lists (200, the newest of them): "
                                        "`total` is then that many. Another word or a "
                                        "filter narrows the search.",
                                    },
                                },
                            },
                            "A page of proposals",
                        ),
                        "400": _json(ERROR, "A filter that cannot be understood"),
                    },
                }
            },
            "/api/v1/proposals/{id}": {
                "get": {
                    "summary": "One proposal",
                    "operationId": "getProposal",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": _json(DETAIL, "The proposal"),
                        "404": _json(ERROR, "No such proposal, or not visible to you"),
                    },
                }
            },
            "/api/v1/proposals/{id}/amendments": {
                "get": {
                    "summary": "A proposal's amendments, with the proposers' decisions",
                    "operationId": "listAmendments",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": _json(
                            {"type": "array", "items": AMENDMENT}, "Every amendment, by number"
                        ),
                        "404": _json(ERROR, "No such proposal, or not visible to you"),
                    },
                }
            },
        },
    }
