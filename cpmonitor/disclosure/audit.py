"""The audit: can anything the audience sees pin a hidden cell down? Linear programming (HiGHS).

Variables are the hidden cells (shown ones are constants); every relation touching a hidden cell is
an equation (``sum`` relations whose published parts add up to their total exactly: total - parts =
0 over the shown and hidden cells; cells on one date whose values agree: equal), and counts are never
negative. A relation whose parts do not add up (a part that is not published: no known district, sex
not recorded) gives an attacker no exact equation and is left out. A small
count (a primary cell) **fails** when

- the equations leave it a single whole number (recoverable exactly), or
- its feasible range neither reaches 0 nor the threshold (the figures would show it lies within 1
  to threshold - 1).

Cells hidden to protect another are not judged on their own: a count of 5 or more, or a zero, that
can be worked out tells nothing that showing it would not; what it must not do is leave a small count
exposed, and that is what is checked.

The equations fall apart into independent components (connected through shared cells). A component
of one equation has closed-form bounds; larger ones are solved with a few LPs each: minimise the sum
of the small cells (every one that reaches 0 is cleared), maximise them up to the threshold, then one
LP per cell still in doubt. The exact data is always one feasible point, so a cell that differs by one
or more from it in any solution is not exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

TOLERANCE = 1e-6


@dataclass(frozen=True)
class AuditResult:
    """What the audit found for one audience."""

    hidden_cells: int
    equations: int
    components: int
    lp_solved: int
    failures: pd.DataFrame  # cell_id, reason
    seconds: float

    @property
    def passed(self) -> bool:
        return self.failures.empty


def _equations(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, terms): the hidden cells (cell_id, exact, primary) and the equation terms
    (eq, cell_id, coef) with right-hand sides in ``cells``' numbering, b per equation in terms."""
    cells = con.execute(
        "SELECT cell_id, number AS exact, primary_ AS is_primary FROM dc_cells WHERE hidden "
        "ORDER BY cell_id"
    ).df()
    terms = con.execute(
        """
        WITH touched AS (
            SELECT m.rel FROM dc_members AS m JOIN dc_cells AS c USING (cell_id)
            WHERE c.hidden GROUP BY m.rel
        ), state AS (
            SELECT m.rel, m.is_total, m.cell_id, c.hidden, c.number
            FROM dc_members AS m JOIN touched USING (rel) JOIN dc_cells AS c USING (cell_id)
        ),
        -- the sums whose published parts add up to their total: the only ones an attacker can
        -- use exactly (a total with an unpublished part - no known district, sex not recorded -
        -- is not the sum of what is published)
        exact_sums AS (
            SELECT rel FROM state WHERE is_total IS NOT NULL GROUP BY rel
            HAVING abs(sum(CASE WHEN is_total THEN number ELSE -number END)) < 0.5
        ),
        -- sums: +total - parts over the hidden members = the same over their exact numbers
        sums AS (
            SELECT rel, cell_id, CASE WHEN is_total THEN 1.0 ELSE -1.0 END AS coef, number
            FROM state JOIN exact_sums USING (rel) WHERE is_total IS NOT NULL AND hidden
        ),
        -- one date: each hidden cell equals the relation's reference cell (the first shown one,
        -- else the first one) when their values agree (a year's stock is its December's)
        dated AS (
            SELECT rel, cell_id, hidden, number,
                   first(cell_id ORDER BY hidden, cell_id) OVER (PARTITION BY rel) AS ref_id,
                   first(hidden ORDER BY hidden, cell_id) OVER (PARTITION BY rel) AS ref_hidden,
                   first(number ORDER BY hidden, cell_id) OVER (PARTITION BY rel) AS ref_number
            FROM state WHERE is_total IS NULL
        )
        SELECT rel AS eq, cell_id, coef, coef * number AS b_part FROM sums
        UNION ALL
        SELECT rel || '#' || cell_id, cell_id, 1.0, number FROM dated
        WHERE hidden AND cell_id <> ref_id AND number = ref_number
        UNION ALL
        SELECT rel || '#' || cell_id, ref_id, -1.0, -ref_number FROM dated
        WHERE hidden AND cell_id <> ref_id AND ref_hidden AND number = ref_number
        """
    ).df()
    return cells, terms


def audit(con: duckdb.DuckDBPyConnection, threshold: int) -> AuditResult:
    """Audit the hidden cells of ``dc_cells`` against ``dc_members``."""
    started = time.perf_counter()
    cells, terms = _equations(con)
    failures: list[tuple[int, str]] = []
    solved = 0
    if cells.empty:
        return AuditResult(0, 0, 0, 0, _failures([]), time.perf_counter() - started)
    index = pd.Series(np.arange(len(cells)), index=cells["cell_id"].to_numpy())
    exact = cells["exact"].to_numpy(dtype=float)
    is_primary = cells["is_primary"].to_numpy(dtype=bool)
    eq_codes, eq_names = pd.factorize(terms["eq"])
    n_eq, n_var = len(eq_names), len(cells)
    var = index.loc[terms["cell_id"].to_numpy()].to_numpy()
    matrix = csr_matrix(
        coo_matrix((terms["coef"].to_numpy(dtype=float), (eq_codes, var)), shape=(n_eq, n_var))
    )
    rhs = np.bincount(eq_codes, weights=terms["b_part"].to_numpy(dtype=float), minlength=n_eq)
    # a hidden cell in no equation at all is free: nothing pins it (not exact, reaches 0)
    incidence = csr_matrix((np.ones(len(var)), (eq_codes, var)), shape=(n_eq, n_var))
    graph = (incidence.T @ incidence).tocsr()
    n_components, labels = connected_components(graph, directed=False)
    eq_component = labels[var[np.unique(eq_codes, return_index=True)[1]]] if n_eq else np.array([])
    eqs_by_component = pd.Series(np.arange(n_eq)).groupby(eq_component).apply(list) if n_eq else {}
    vars_by_component = pd.Series(np.arange(n_var)).groupby(labels).apply(list)
    for component, members in vars_by_component.items():
        rows = eqs_by_component.get(component, []) if n_eq else []
        if not rows:
            continue
        sub = matrix[rows][:, members].toarray()
        b = rhs[rows]
        bad, lps = _check_component(sub, b, exact[members], is_primary[members], threshold)
        solved += lps
        failures.extend((int(cells["cell_id"].iloc[members[i]]), reason) for i, reason in bad)
    return AuditResult(
        hidden_cells=n_var,
        equations=n_eq,
        components=int(n_components),
        lp_solved=solved,
        failures=_failures(failures),
        seconds=time.perf_counter() - started,
    )


def _failures(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["cell_id", "reason"])


def _one_integer(low: float, high: float) -> bool:
    """True when [low, high] holds a single whole number (the cell is pinned down)."""
    return math.floor(high + TOLERANCE) - math.ceil(low - TOLERANCE) < 1


def _check_component(
    a: np.ndarray, b: np.ndarray, exact: np.ndarray, primary: np.ndarray, threshold: int
) -> tuple[list[tuple[int, str]], int]:
    """Failing variables of one component (index, reason) and how many LPs were solved."""
    n = a.shape[1]
    if a.shape[0] == 1:
        return _one_equation(a[0], b[0], primary), 0
    reaches_edge = ~primary  # a large or zero hidden cell needs only not to be exact
    loose = np.zeros(n, dtype=bool)  # some feasible point differs from the exact one by >= 1
    lps = 0

    def solve(cost: np.ndarray, upper: np.ndarray | None = None) -> np.ndarray | None:
        nonlocal lps
        lps += 1
        bounds = [
            (0, None if upper is None or np.isinf(u) else u)
            for u in (upper if upper is not None else np.full(n, np.inf))
        ]
        result = linprog(cost, A_eq=a, b_eq=b, bounds=bounds, method="highs")
        if result.status == 3:  # unbounded: the objective's cells grow without limit
            return None
        return result.x if result.status == 0 else None

    def learn(point: np.ndarray | None) -> None:
        nonlocal reaches_edge, loose
        if point is None:
            return
        reaches_edge |= primary & ((point <= TOLERANCE) | (point >= threshold - TOLERANCE))
        loose |= np.abs(point - exact) >= 1 - TOLERANCE

    # the small cells: as low as they can all go together, then as high (up to the threshold)
    if (~reaches_edge).any():
        learn(solve(np.where(~reaches_edge, 1.0, 0.0)))
    if (~reaches_edge).any():
        cap = np.where(~reaches_edge, float(threshold), np.inf)
        learn(solve(np.where(~reaches_edge, -1.0, 0.0), cap))
    bad: list[tuple[int, str]] = []
    for i in range(n):
        if not primary[i] or (reaches_edge[i] and loose[i]):
            continue
        unit = np.zeros(n)
        unit[i] = 1.0
        low_point = solve(unit)
        learn(low_point)
        cap = np.full(n, np.inf)
        cap[i] = max(float(threshold), exact[i] + 1)
        high_point = solve(-unit, cap)
        learn(high_point)
        low = low_point[i] if low_point is not None else 0.0
        high = high_point[i] if high_point is not None else math.inf
        if _one_integer(low, high):
            bad.append((i, f"recoverable exactly ({exact[i]:g})"))
        elif primary[i] and low > TOLERANCE and high < threshold - TOLERANCE:
            bad.append((i, f"shown to lie between {low:g} and {high:g}"))
    return bad, lps


def _one_equation(coef: np.ndarray, b: float, primary: np.ndarray) -> list[tuple[int, str]]:
    """Closed form for a component of one equation sum(coef * x) = b, x >= 0."""
    positive, negative = coef > 0, coef < 0
    if positive.any() and negative.any():
        return []  # total and parts both hidden: every cell can grow without limit
    k = len(coef)
    total = b if positive.any() else -b
    if k == 1:
        return [(0, f"recoverable exactly ({total:g})")] if primary[0] else []
    # each cell ranges over [0, total]: it reaches 0 and is not pinned (a total below 1 means
    # every cell is 0: no small count among them)
    return []
