"""PDFs the worker makes ahead and requests serve as files: the catalogue's and the long
hearing memos'. Laying one out takes seconds to minutes of CPU, which no request may spend.

They live in the instance folder's `pdf/` folder, each as `<name>.pdf` with `<name>.json`
beside it: the tag of what it shows (app.core.pdf.etag_for: every input that shapes it), when it
was made and the laid-out parts it was joined from. The worker compares the tag of what a
file would show now with the one beside it, and makes the file again only when they differ.

- `tag_of(name)`: the tag of the file as it was made, or None before the first.
- `write(name, pdf, tag=..., made_at=..., parts=...)`: the file, then its tag, each written
  to a temporary file and moved into place (os.replace), so a request reads the old file or
  the new one, never half of either.
- `serve(name, filename=...)`: a GET's answer with the file, its ETag (from the file itself,
  so tag and content cannot disagree) and a 304 for a copy that is still current; None
  before the first file exists, when the view answers with `being_made(...)`: a 503 page
  with Retry-After.
- `wish(name)` / `wishes(prefix)`: a request asks for a file the worker does not make by
  itself yet (a hearing memo that has just grown long); the worker's next run makes it.
- `making()`: one process at a time makes files (a lock on the folder, let go when the
  process ends however it ends).
- `KeptParts`: laid-out parts of the catalogue by their HTML, so a change to one proposal
  lays out the part it is in, and a topic's catalogue reuses the whole one's parts.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from flask import Response, current_app, make_response, render_template, request
from werkzeug.wsgi import wrap_file

from app.core.i18n import iso
from app.core.pdf import MIME, Laid, with_pdf_headers

# How long a client is asked to wait before asking again for a file being made: the worker
# looks for work every minute.
RETRY_AFTER_SECONDS = 60
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,100}")


def folder() -> Path:
    return Path(current_app.instance_path) / "pdf"


def _path(name: str, suffix: str) -> Path:
    if not _NAME.fullmatch(name):  # names are made by the code, never taken from a request
        raise ValueError(f"not a name for a made PDF: {name!r}")
    return folder() / f"{name}{suffix}"


def _write_atomically(path: Path, data: bytes) -> None:
    """`data` in `path`, whole or not at all: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _sidecar(name: str) -> dict:
    try:
        return json.loads(_path(name, ".json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


def tag_of(name: str) -> str | None:
    """The tag of what the file `name` shows, as it was made; None if it was never made."""
    if not _path(name, ".pdf").exists():
        return None
    return _sidecar(name).get("tag")


def write(name: str, pdf: bytes, *, tag: str, made_at: datetime, parts: Iterable[str] = ()) -> None:
    """Put the file `name` in place, then its tag: if the process stops between the two,
    the old tag is kept and the next run makes the file once more."""
    _write_atomically(_path(name, ".pdf"), pdf)
    sidecar = {"tag": tag, "made_at": iso(made_at), "parts": sorted(set(parts))}
    _write_atomically(_path(name, ".json"), json.dumps(sidecar).encode())
    _path(name, ".wanted").unlink(missing_ok=True)


def names(prefix: str) -> list[str]:
    """The files made so far whose names begin with `prefix`."""
    if not folder().is_dir():
        return []
    return sorted(path.stem for path in folder().glob(f"{prefix}*.pdf"))


def remove(name: str) -> None:
    for suffix in (".json", ".pdf", ".wanted"):  # the tag first: no tag, no file served
        _path(name, suffix).unlink(missing_ok=True)


def wish(name: str) -> None:
    """Ask the worker to make `name` at its next run. Costs a request one empty file, the
    same one however many ask."""
    path = _path(name, ".wanted")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def wishes(prefix: str) -> list[str]:
    if not folder().is_dir():
        return []
    return sorted(path.stem for path in folder().glob(f"{prefix}*.wanted"))


def serve(
    name: str, *, filename: str, attachment: bool = False, private: bool = False
) -> Response | None:
    """Answer a GET with the latest file `name` (or a 304), or None if none was made yet."""
    try:
        file = open(_path(name, ".pdf"), "rb")  # noqa: SIM115  # the response closes it
    except FileNotFoundError:
        return None
    # The tag of this very file, whatever replaces it meanwhile: os.replace gives a new one
    # a new inode, and a file under a name is never written in place.
    stat = os.fstat(file.fileno())
    seen = f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"
    etag = hashlib.sha256(seen.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        file.close()
        response = Response(status=304)
    else:
        response = Response(
            wrap_file(request.environ, file), mimetype=MIME, direct_passthrough=True
        )
        response.content_length = stat.st_size
    return with_pdf_headers(response, etag, filename, attachment=attachment, private=private)


def being_made(what: str, back: str, back_label: str) -> Response:
    """The page for a PDF whose first file is still being made: 503, try again in a minute."""
    response = make_response(
        render_template("errors/being_made.html", what=what, back=back, back_label=back_label),
        503,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


@contextlib.contextmanager
def making() -> Iterator[bool]:
    """Hold the lock of the folder while making files: True if this process got it, False
    if another process is making files now (the minute's run then leaves it to that one).
    The operating system lets go of the lock when the process ends, even by a crash."""
    folder().mkdir(parents=True, exist_ok=True)
    with open(folder() / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class KeptParts:
    """Laid-out parts (app.core.pdf.Kept) in the folder's `parts/`: `<key>.pdf` and `<key>.json`
    (its pages and the page of each anchor). `used` holds the keys this run took or put."""

    def __init__(self) -> None:
        self.where = folder() / "parts"
        self.used: set[str] = set()

    def get(self, key: str) -> Laid | None:
        try:
            pdf = (self.where / f"{key}.pdf").read_bytes()
            about = json.loads((self.where / f"{key}.json").read_text())
        except (FileNotFoundError, ValueError):
            return None
        self.used.add(key)
        return Laid(pdf, about["pages"], about["anchors"])

    def put(self, key: str, laid: Laid) -> None:
        _write_atomically(self.where / f"{key}.pdf", laid.pdf)
        about = {"pages": laid.pages, "anchors": laid.anchors}
        _write_atomically(self.where / f"{key}.json", json.dumps(about).encode())
        self.used.add(key)

    def sweep(self) -> int:
        """Forget the parts no made file was joined from; how many were forgotten."""
        if not self.where.is_dir():
            return 0
        wanted = set(self.used)
        for sidecar in folder().glob("*.json"):
            with contextlib.suppress(ValueError, OSError):
                wanted.update(json.loads(sidecar.read_text()).get("parts", ()))
        forgotten = 0
        for path in self.where.glob("*.pdf"):
            if path.stem not in wanted:
                path.with_suffix(".json").unlink(missing_ok=True)
                path.unlink(missing_ok=True)
                forgotten += 1
        return forgotten
