app_name = "persist"
urlpatterns: list = []
