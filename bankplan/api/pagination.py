"""Cursor pagination by id: the order is on a unique key that never changes, so walking
every page sees each row once even while plans are created or change state meanwhile
(an offset would skip or repeat rows), and a late page costs what the first does."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = 500
