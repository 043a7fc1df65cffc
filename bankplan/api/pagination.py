"""Cursor pagination by id: the order is on a unique key that never changes, so walking
every page sees each row once even while plans are created or change state meanwhile
(an offset would skip or repeat rows), and a late page costs what the first does."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from bankplan.lib.ids import is_id


class IdCursorPagination(CursorPagination):
    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        """DRF checks a cursor's encoding, not the position in it: a forged one that is
        no id would reach the database (a 500)."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not is_id(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor
