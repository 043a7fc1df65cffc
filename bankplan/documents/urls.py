from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:plan_id>/pdf/", views.plan_pdf, name="plan_pdf"),
]
