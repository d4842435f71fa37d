"""Deny by default: login is required everywhere unless a view is marked public, and a view
that needs more than login names its permission. Also the security headers of every response."""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from council.auth.roles import Permission

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def public(view):
    """Mark a view as reachable without signing in."""
    view.is_public = True
    return view


def requires(permission: Permission):
    """Let only people whose role grants ``permission`` through; others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.may(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def set_security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config["COUNCIL_HTTPS"]:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("HX-Request")
    return response
