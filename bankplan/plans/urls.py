from django.urls import path

from . import guidance, views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("start/<int:cycle_id>/", views.start_plan, name="start"),
    path("<int:plan_id>/", views.overview, name="overview"),
    path("<int:plan_id>/sections/<slug:key>/", views.edit_section, name="section"),
    path("<int:plan_id>/sections/<slug:key>/findings/", views.findings, name="findings"),
    path("guidance/<slug:key>/", guidance.remember, name="guidance"),
]
