"""Helpers for where a request goes next."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, request


def local_target(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target


def back_to(fallback: str, target: str | None = None):
    """Answer a browser's POST: a 303 to `target` if local, else to the referring page,
    else to `fallback`."""
    referrer = urlsplit(request.referrer or "")
    from_here = referrer.netloc == request.host
    referred = (
        (referrer.path + (f"?{referrer.query}" if referrer.query else "")) if from_here else None
    )
    return redirect(local_target(target) or local_target(referred) or fallback, code=303)


def see_other(location: str):
    """The answer to a successful POST from a browser."""
    return redirect(location, code=303)


def public_url(endpoint: str, **values) -> str:
    """The address of a page as it leaves the site (mail, feeds, the API, PDFs): always on
    FORSLAG_PUBLIC_URL, never on the Host a request claims, and built the same with or
    without a request (the worker has none)."""
    public = current_app.config["PUBLIC_URL"]
    adapters = current_app.extensions.setdefault("public_url_adapters", {})
    if public not in adapters:  # a mail has a dozen links: bind once, not per link
        base = urlsplit(public)
        adapters[public] = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme
        )
    adapter = adapters[public]
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
