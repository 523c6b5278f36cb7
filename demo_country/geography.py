"""The fictional country's provinces, districts and boundaries, built procedurally.

The country is a set of cells of a grid clipped to an irregular blob. Provinces and districts are
connected groups of cells grown from seed cells, so districts tile their province and provinces tile
the country without gaps. Grid vertices are jittered once, and every unit uses the same jittered
vertices, so neighbouring boundaries match exactly. A unit's outline is the union of its cells:
edges shared by two of its cells cancel, the remaining directed edges are chained into rings.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass

import numpy as np

from demo_country.names import PROVINCE_NAMES, district_names

LON0, LAT0 = 102.0, 10.0  # south-west corner of the grid (degrees)
CELL = 0.08  # cell size in degrees
GRID = 64  # cells per side
JITTER = 0.22  # vertex jitter as a share of the cell size (< 0.25 keeps every cell simple)

# Districts per province (province 01, the capital, first): 100 districts in all.
DISTRICTS_PER_PROVINCE: tuple[int, ...] = (6, 9, 7, 10, 8, 12, 9, 11, 8, 5, 7, 8)
# How slowly each province grows from its seed: the capital territory is small in area.
PROVINCE_GROWTH_COST: tuple[float, ...] = (
    3.0,
    1.0,
    1.1,
    0.9,
    1.0,
    0.85,
    1.0,
    0.9,
    1.05,
    1.2,
    1.0,
    1.1,
)

Cell = tuple[int, int]
Vertex = tuple[int, int]


@dataclass(frozen=True)
class Geography:
    """Provinces and districts of the country with their cells and GeoJSON boundaries."""

    province_codes: list[str]
    province_names: list[str]
    province_geojson: list[str]
    district_codes: list[str]
    district_names: list[str]
    district_province: list[int]  # index into the province lists
    district_geojson: list[str]
    district_cells: list[int]  # area in cells, used to spread population
    country_geojson: str = ""  # the outline of the whole country


def _country_cells(rng: np.random.Generator) -> set[Cell]:
    """Grid cells inside an irregular blob: one 4-connected piece without holes."""
    centre = np.array([GRID / 2, GRID / 2])
    radius = GRID * 0.4
    ks = np.arange(2, 9)
    amp = rng.uniform(0.06, 0.16, len(ks)) / (ks - 1) ** 0.7
    phase = rng.uniform(0, 2 * np.pi, len(ks))
    ii, jj = np.meshgrid(np.arange(GRID), np.arange(GRID), indexing="ij")
    dx, dy = (ii + 0.5 - centre[0]) * 1.15, jj + 0.5 - centre[1]  # a bit taller than wide
    theta = np.arctan2(dy, dx)
    limit = radius * (
        1 + (amp[:, None, None] * np.cos(ks[:, None, None] * theta + phase[:, None, None])).sum(0)
    )
    inside = np.hypot(dx, dy) < limit
    cells = {(int(i), int(j)) for i, j in zip(*np.nonzero(inside), strict=True)}
    # Keep the largest 4-connected piece, then fill any enclosed holes.
    pieces = _components(cells)
    country = max(pieces, key=len)
    outside = _components(
        {(i, j) for i in range(-1, GRID + 1) for j in range(-1, GRID + 1)} - country
    )
    border = next(p for p in outside if (-1, -1) in p)
    return {(i, j) for i in range(GRID) for j in range(GRID)} - border


def _neighbours(cell: Cell) -> tuple[Cell, Cell, Cell, Cell]:
    i, j = cell
    return ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1))


def _components(cells: set[Cell]) -> list[set[Cell]]:
    remaining, pieces = set(cells), []
    while remaining:
        start = min(remaining)
        piece, stack = {start}, [start]
        remaining.discard(start)
        while stack:
            for nb in _neighbours(stack.pop()):
                if nb in remaining:
                    remaining.discard(nb)
                    piece.add(nb)
                    stack.append(nb)
        pieces.append(piece)
    return pieces


def _spread_seeds(
    rng: np.random.Generator, cells: list[Cell], k: int, near: tuple[float, float] | None = None
) -> list[Cell]:
    """``k`` seed cells far apart from each other (farthest-point sampling), the first one at
    the cell nearest to ``near`` if given, else at random."""
    pts = np.array(cells, dtype=float)
    if near is None:
        chosen = [int(rng.integers(0, len(cells)))]
    else:
        chosen = [int(np.argmin(np.hypot(pts[:, 0] - near[0], pts[:, 1] - near[1])))]
    dist = np.hypot(*(pts - pts[chosen[0]]).T)
    for _ in range(1, k):
        nxt = int(np.argmax(dist * rng.uniform(0.85, 1.0, len(cells))))
        chosen.append(nxt)
        dist = np.minimum(dist, np.hypot(*(pts - pts[nxt]).T))
    return [cells[i] for i in chosen]


def _grow(
    cells: set[Cell], seeds: list[Cell], cost: dict[Cell, float], speed: list[float]
) -> dict[Cell, int]:
    """Assign every cell to a seed by cheapest path (randomised cell costs): connected regions."""
    owner: dict[Cell, int] = {}
    heap = [(0.0, n, seed) for n, seed in enumerate(seeds)]
    heapq.heapify(heap)
    while heap:
        dist, n, cell = heapq.heappop(heap)
        if cell in owner:
            continue
        owner[cell] = n
        for nb in _neighbours(cell):
            if nb in cells and nb not in owner:
                heapq.heappush(heap, (dist + cost[nb] * speed[n], n, nb))
    return owner


def _rings(cells: set[Cell]) -> list[list[Vertex]]:
    """Outline of a set of cells as closed rings of grid vertices, interior on the left.

    Exterior rings come out counter-clockwise and holes clockwise. Where two cells of the set touch
    only at a corner, the walk turns left, so rings never cross themselves.
    """
    edges: set[tuple[Vertex, Vertex]] = set()
    for i, j in cells:
        corners = ((i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1))
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            if (b, a) in edges:
                edges.discard((b, a))
            else:
                edges.add((a, b))
    outgoing: dict[Vertex, list[Vertex]] = {}
    for a, b in sorted(edges):
        outgoing.setdefault(a, []).append(b)
    rings: list[list[Vertex]] = []
    while outgoing:
        # Start where only one edge leaves, so a ring never starts at a pinch point.
        start = min((v for v, out in outgoing.items() if len(out) == 1), default=min(outgoing))
        ring = [start]
        prev, cur = start, outgoing[start].pop()
        if not outgoing[start]:
            del outgoing[start]
        while cur != start:
            ring.append(cur)
            options = outgoing[cur]
            d = (cur[0] - prev[0], cur[1] - prev[1])
            # Prefer left, then straight, then right (relative to the incoming direction).
            turns = [(-d[1], d[0]), d, (d[1], -d[0])]
            nxt = next(v for v in ((cur[0] + t[0], cur[1] + t[1]) for t in turns) if v in options)
            options.remove(nxt)
            if not options:
                del outgoing[cur]
            prev, cur = cur, nxt
        ring.append(start)
        rings.append(ring)
    return rings


def _signed_area(ring: list[tuple[float, float]]) -> float:
    xs = np.array([p[0] for p in ring])
    ys = np.array([p[1] for p in ring])
    return float((xs[:-1] * ys[1:] - xs[1:] * ys[:-1]).sum() / 2)


def _contains(ring: list[Vertex], point: tuple[float, float]) -> bool:
    """Even-odd point-in-polygon test on grid coordinates."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _geometry(cells: set[Cell], lon: np.ndarray, lat: np.ndarray) -> str:
    """GeoJSON Polygon or MultiPolygon (RFC 7946 winding) of a set of cells, as a string."""
    rings = _rings(cells)
    exteriors = [r for r in rings if _signed_area(r) > 0]
    holes = [r for r in rings if _signed_area(r) < 0]
    polygons: list[list[list[Vertex]]] = [[r] for r in exteriors]
    for hole in holes:
        (a, b) = hole[0], hole[1]
        # The cell on the left of a hole edge belongs to the set; test its centre.
        d = (b[0] - a[0], b[1] - a[1])
        probe = (a[0] + d[0] / 2 - d[1] / 2, a[1] + d[1] / 2 + d[0] / 2)
        owner = next(p for p in polygons if _contains(p[0], probe))
        owner.append(hole)

    def coords(ring: list[Vertex]) -> list[list[float]]:
        return [[round(float(lon[v]), 5), round(float(lat[v]), 5)] for v in ring]

    shapes = [[coords(r) for r in polygon] for polygon in polygons]
    if len(shapes) == 1:
        geometry = {"type": "Polygon", "coordinates": shapes[0]}
    else:
        geometry = {"type": "MultiPolygon", "coordinates": shapes}
    return json.dumps(geometry, separators=(",", ":"))


def build_geography(rng: np.random.Generator) -> Geography:
    """Build the country: 12 provinces, 100 districts, codes, invented names and boundaries."""
    country = _country_cells(rng)
    ordered = sorted(country)
    cost = dict(zip(ordered, rng.uniform(1.0, 2.2, len(ordered)).tolist(), strict=True))
    n_prov = len(PROVINCE_NAMES)
    # The capital sits a little south of the middle; the other seeds spread out from it.
    province_seeds = _spread_seeds(rng, ordered, n_prov, near=(GRID * 0.5, GRID * 0.42))
    province_of = _grow(country, province_seeds, cost, list(PROVINCE_GROWTH_COST))

    names = district_names(rng, list(DISTRICTS_PER_PROVINCE))
    # Shared jittered vertices: one position per grid vertex, used by every unit.
    base = np.arange(GRID + 1) * CELL
    lon = LON0 + base[:, None] + rng.uniform(-JITTER, JITTER, (GRID + 1, GRID + 1)) * CELL
    lat = LAT0 + base[None, :] + rng.uniform(-JITTER, JITTER, (GRID + 1, GRID + 1)) * CELL

    province_codes = [f"{p + 1:02d}" for p in range(n_prov)]
    prov_geo, d_codes, d_names, d_prov, d_geo, d_cells = [], [], [], [], [], []
    for p in range(n_prov):
        p_cells = {c for c in ordered if province_of[c] == p}
        prov_geo.append(_geometry(p_cells, lon, lat))
        k = DISTRICTS_PER_PROVINCE[p]
        p_list = sorted(p_cells)
        seeds = _spread_seeds(rng, p_list, k)
        # Number districts roughly north-west to south-east, as statistics offices tend to.
        seeds.sort(key=lambda c: -c[1] + c[0])
        district_of = _grow(p_cells, seeds, cost, [1.0] * k)
        for d in range(k):
            cells = {c for c in p_list if district_of[c] == d}
            d_codes.append(f"{province_codes[p]}{d + 1:02d}")
            d_names.append(names[p][d])
            d_prov.append(p)
            d_geo.append(_geometry(cells, lon, lat))
            d_cells.append(len(cells))
    return Geography(
        province_codes=province_codes,
        province_names=list(PROVINCE_NAMES),
        province_geojson=prov_geo,
        district_codes=d_codes,
        district_names=d_names,
        district_province=d_prov,
        district_geojson=d_geo,
        district_cells=d_cells,
        country_geojson=_geometry(country, lon, lat),
    )
