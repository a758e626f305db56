"""GET /data and its CSV files: what can be downloaded, and the files themselves, streamed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from werkzeug.http import is_resource_modified

from app.core.database import utcnow
from app.opendata import files
from app.proposals import reading

bp = Blueprint("opendata", __name__, url_prefix="/data")

# Public and short: a proxy may share a file for a minute; after that a harvester asks
# with the ETag and gets a 304 while nothing changed.
CACHE_CONTROL = "public, max-age=60"


@bp.get("")
def index():
    """Describe the files, their columns and the licence."""
    return render_template("opendata/index.html", files=list(files.FILES.values()))


@bp.get('/<any("proposals", "events", "support-daily", "stances-daily", "amendments"):name>.csv')
def download(name: str):
    """Stream one CSV file, or answer 304 when the caller has it already."""
    data_file = files.FILES.get(f"{name}.csv")
    if data_file is None:  # pragma: no cover (the route allows only these)
        abort(404)
    reading.all_current(utcnow())
    version = files.version()
    etag = f"{name}-{version.etag}"
    if not is_resource_modified(request.environ, etag=etag, last_modified=version.last_modified):
        response = Response(status=304)
    else:
        response = Response(
            stream_with_context(files.chunks(data_file)),
            content_type="text/csv; charset=utf-8",
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{data_file.name}"'
    response.set_etag(etag)
    if version.last_modified is not None:
        response.last_modified = version.last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
