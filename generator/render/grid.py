"""The whole-qualification matrix: each framework's chosen units against the entries that evidence them.

A cell is the number of the unit's criteria the entry evidences; each row and column has its total.
Computed here once, as plain values, so the template only lays them out.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GridRow:
    entry: object
    counts: list            # one per column (unit): criteria of that unit the entry evidences
    total: int              # criteria of the framework's chosen units the entry evidences


@dataclass
class Grid:
    framework: object
    units: list                                     # the columns: the framework's chosen units
    rows: list = field(default_factory=list)        # GridRow, in date order
    entries_per_unit: list = field(default_factory=list)    # entries evidencing each unit
    citations_per_unit: list = field(default_factory=list)  # the column sums

    @property
    def citations(self) -> int:
        return sum(self.citations_per_unit)


def grids(model) -> list[Grid]:
    """One grid per framework with chosen units, the qualification first (the model's order)."""
    out = []
    for fw in model.frameworks:
        units = [u for u in fw.units if u.chosen]
        if not units:
            continue
        column = {id(u): i for i, u in enumerate(units)}
        grid = Grid(fw, units)
        for e in model.entries:                     # sorted by date, then id
            counts = [0] * len(units)
            seen = set()
            for c in e.criteria:
                i = column.get(id(c.unit))
                if i is not None and id(c) not in seen:
                    seen.add(id(c))
                    counts[i] += 1
            if seen:
                grid.rows.append(GridRow(e, counts, len(seen)))
        grid.entries_per_unit = [sum(1 for r in grid.rows if r.counts[i]) for i in range(len(units))]
        grid.citations_per_unit = [sum(r.counts[i] for r in grid.rows) for i in range(len(units))]
        out.append(grid)
    return out
