from django.urls import include, path

app_name = "trade"
# Pages of the trade facts live in urls_facts (names prefixed ``facts_``); trade credit pages here.
urlpatterns: list = [
    path("facts/", include("kehu.trade.urls_facts")),
]
