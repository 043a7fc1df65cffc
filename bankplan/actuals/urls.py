from django.urls import path

from . import views

app_name = "actuals"
urlpatterns = [
    path("<int:cycle_id>/", views.page, name="page"),
    path("<int:cycle_id>/template.<slug:fmt>", views.template, name="template"),
    path("<int:cycle_id>/upload/", views.upload, name="upload"),
    path("<int:cycle_id>/confirm/", views.confirm, name="confirm"),
    path("<int:cycle_id>/discard/", views.discard, name="discard"),
]
