from urllib.parse import urlsplit


def safe_local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site; otherwise ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
