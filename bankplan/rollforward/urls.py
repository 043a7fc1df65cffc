app_name = "rollforward"
urlpatterns = []
