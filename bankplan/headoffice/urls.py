from django.urls import path

from . import allocation_views, cycle_views, export_views, pack_views, views

app_name = "headoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<int:cycle_id>/units/<int:unit_id>/", views.unit, name="unit"),
    path("<int:cycle_id>/units/<int:unit_id>/branches/", views.branches, name="branches"),
    path(
        "<int:cycle_id>/units/<int:unit_id>/<slug:table>.<slug:fmt>",
        views.export_table,
        name="export_table",
    ),
    *allocation_views.urlpatterns,
    *cycle_views.urlpatterns,
    *export_views.urlpatterns,
    *pack_views.urlpatterns,
]
