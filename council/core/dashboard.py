"""The dashboard is a column of panels; each capability registers its own."""
from collections.abc import Callable
from dataclasses import dataclass

from council.auth.roles import Permission


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[], dict]
    permission: Permission = Permission.VIEW_DASHBOARD
    order: int = 100


PANELS: list[Panel] = []


def register_panel(template: str, context: Callable[[], dict] | None = None, *,
                   permission: Permission = Permission.VIEW_DASHBOARD, order: int = 100) -> None:
    if any(panel.template == template for panel in PANELS):
        return
    PANELS.append(Panel(template, context or dict, permission, order))
    PANELS.sort(key=lambda panel: panel.order)


def panels_for(person) -> list[tuple[str, dict]]:
    return [(p.template, p.context()) for p in PANELS if person.may(p.permission)]
