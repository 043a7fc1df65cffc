app_name = "actuals"
urlpatterns = []
