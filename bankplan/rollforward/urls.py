from django.urls import path

from . import views

app_name = "rollforward"
urlpatterns = [
    path("plans/start/<int:cycle_id>/<int:branch_id>/", views.start, name="start"),
    path("plans/<int:plan_id>/rolled-forward/dismiss/", views.dismiss, name="dismiss"),
    path("dashboard/<int:cycle_id>/roll-forward/", views.cycle_page, name="cycle"),
    path("dashboard/roll-forward/<int:run_id>/", views.run_detail, name="run"),
    path("dashboard/roll-forward/<int:run_id>/progress/", views.run_progress, name="run_progress"),
]
