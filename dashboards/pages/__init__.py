"""The dashboard's pages: one module per page, found by ``discover_pages``.

A page module holds everything about its page:

- ``ROUTE = Route(path=..., title=..., nav_label=..., order=...)``: its URL, its title (the
  heading and the browser tab), its label in the navbar and its place there (``follows_query``
  for a page that keeps its pickers in the URL, see ``dashboards.urlstate``);
- ``layout(**query)``: the page, built fresh on every visit from the URL's query parameters
  (always strings; unknown ones are ignored);
- ``register_callbacks(app)`` (optional): wires its callbacks to one app object.

Nothing registers itself on import: ``create_app`` calls ``discover_pages()`` and gets its own tuple
of ``Page``s, so two apps in one process never share a registry (Dash's own pages registry is
global to the process, which is why it is not used). Adding a page: write ``pages/<name>.py`` as
above and give it an exposure in ``models/marts/_marts__exposures.yml`` (a test fails otherwise).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dash


@dataclass(frozen=True)
class Route:
    """Where a page lives and how the navbar shows it."""

    path: str
    title: str
    nav_label: str
    order: int
    follows_query: bool = False
    """True when the page follows its URL's query itself (``dashboards.urlstate``): a change of
    the query alone (a picker, back, forward) then leaves it in place instead of re-rendering it."""


@dataclass(frozen=True)
class Page:
    """One page found in this package: its module name, route, layout and callbacks."""

    name: str
    route: Route
    layout: Callable[..., Any]
    register_callbacks: Callable[[dash.Dash], None] | None = None

    @property
    def path(self) -> str:
        return self.route.path


def discover_pages(package: str = __name__) -> tuple[Page, ...]:
    """Every page module of ``package`` (modules starting with ``_`` left out), in navbar order.

    Raises ``ValueError`` for a module without ``ROUTE`` or ``layout``, or two pages on one path.
    """
    found = importlib.import_module(package)
    pages = []
    for info in pkgutil.iter_modules(found.__path__):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        route, layout = getattr(module, "ROUTE", None), getattr(module, "layout", None)
        if not isinstance(route, Route) or not callable(layout):
            raise ValueError(f"{module.__name__} needs ROUTE = Route(...) and a layout() function")
        pages.append(Page(info.name, route, layout, getattr(module, "register_callbacks", None)))
    paths = [page.path for page in pages]
    if len(set(paths)) != len(paths):
        raise ValueError(f"two pages share a path: {sorted(paths)}")
    return tuple(sorted(pages, key=lambda page: (page.route.order, page.name)))


def page_at(pages: tuple[Page, ...], path: str | None) -> Page | None:
    """The page whose path is ``path`` (leading and trailing slashes ignored), or None."""
    wanted = (path or "").strip("/")
    return next((page for page in pages if page.path.strip("/") == wanted), None)
