"""The few htmx conventions the views share."""
from flask import Response, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def targets(element_id: str) -> bool:
    """True when htmx asks to swap only ``element_id`` (boosted links ask for the whole page)."""
    return is_htmx() and request.headers.get("HX-Target") == element_id


def redirect(url: str) -> Response:
    """Tell htmx to navigate the whole page; a plain request gets an ordinary redirect."""
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    from flask import redirect as flask_redirect

    return flask_redirect(url)
