"""Routes on the meetings blueprint (work in progress)."""
