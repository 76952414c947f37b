"""A DataTable that draws its rows again once Textual has measured them."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets._data_table import RowKey


class MeasuredTable(DataTable):
    """Textual measures new rows when the table is next idle; a frame drawn before that caches the rows at
    their columns' label widths and keeps them, since the cache key does not change with the widths (rows
    appear cut short until something else redraws them). This table drops those lines once rows are measured.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        super()._update_dimensions(new_rows)
        if new_rows:
            self._update_count += 1  # part of every cached line's key: the lines are drawn afresh
            self.refresh()
