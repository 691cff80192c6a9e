app_name = "customers_bulk"
urlpatterns: list = []
