from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("cycles/", views.CycleList.as_view(), name="cycles"),
    path("cycles/<int:cycle_id>/", views.CycleDetail.as_view(), name="cycle"),
    path("cycles/<int:cycle_id>/kpis/", views.KpiList.as_view(), name="kpis"),
    path(
        "cycles/<int:cycle_id>/units/<int:unit_id>/rollup/",
        views.RollupView.as_view(),
        name="rollup",
    ),
    path("units/", views.UnitList.as_view(), name="units"),
    path("plans/", views.PlanList.as_view(), name="plans"),
    path("plans/<int:plan_id>/", views.PlanDetail.as_view(), name="plan"),
    path(
        "plans/<int:plan_id>/versions/<int:number>/", views.VersionDetail.as_view(), name="version"
    ),
    path(
        "plans/<int:plan_id>/versions/<int:number>/pdf/<str:kind>/",
        views.VersionPdfView.as_view(),
        name="version_pdf",
    ),
]
