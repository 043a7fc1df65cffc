from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("reviews/", views.queue, name="queue"),
    path("plans/<int:plan_id>/submit/", views.submit, name="submit"),
    path("plans/<int:plan_id>/return/", views.return_for_revision, name="return"),
    path("plans/<int:plan_id>/approve/", views.approve, name="approve"),
    path("plans/<int:plan_id>/reopen/", views.reopen, name="reopen"),
    path("plans/<int:plan_id>/versions/<int:number>/", views.version, name="version"),
    path(
        "plans/<int:plan_id>/versions/<int:number>/pdfs/", views.version_pdfs, name="version_pdfs"
    ),
    path(
        "plans/<int:plan_id>/versions/<int:number>/pdf/<str:kind>/",
        views.version_pdf,
        name="version_pdf",
    ),
    path("plans/<int:plan_id>/compare/", views.compare, name="compare"),
    path("plans/<int:plan_id>/comments/", views.comment, name="comment"),
    path("plans/<int:plan_id>/threads/<int:thread_id>/resolve/", views.resolve, name="resolve"),
]
