"""Every route with its methods, access rule and handler: `sus routes`, and the tests that
check each route declares who may use it."""

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.accounts.access import Access


@dataclass(frozen=True)
class RouteRow:
    methods: tuple[str, ...]
    path: str
    access: tuple[Access, ...]
    handler: str
    """module:function"""

    @property
    def access_rule(self) -> str:
        if len(self.access) != 1:
            return "UNDECLARED" if not self.access else "AMBIGUOUS"
        (a,) = self.access
        roles = ", ".join(sorted(r.value for r in a.roles))
        return f"{a.name} ({roles})" if roles else a.name


def accesses(dependant) -> list[Access]:
    """The distinct Access dependencies of a route, however deep they sit: a loader
    (app.loading) and its route naming the same Access is one declaration, resolved once."""
    found: list[Access] = []
    if isinstance(dependant.call, Access):
        found.append(dependant.call)
    for sub in dependant.dependencies:
        found += [a for a in accesses(sub) if not any(a is f for f in found)]
    return found


def api_routes(app_or_router) -> list[APIRoute]:
    """Every API route, also inside included routers (FastAPI ≥0.160 wraps those)."""
    found = []
    for route in app_or_router.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += api_routes(route.original_router)
    return found


def route_table(app: FastAPI) -> list[RouteRow]:
    rows = []
    for route in api_routes(app):
        fn = route.endpoint
        rows.append(RouteRow(tuple(sorted(route.methods - {"HEAD"}) or route.methods),
                             route.path, tuple(accesses(route.dependant)),
                             f"{fn.__module__}:{fn.__qualname__}"))
    return sorted(rows, key=lambda r: (r.path, r.methods))
