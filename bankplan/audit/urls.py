from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("audit/", views.log, name="log"),
    path("audit/log.csv", views.log_export, {"fmt": "csv"}, name="log_csv"),
    path("audit/log.xlsx", views.log_export, {"fmt": "xlsx"}, name="log_xlsx"),
    path("plans/<int:plan_id>/history/", views.plan_history, name="plan_history"),
]
