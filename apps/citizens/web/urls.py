from django.urls import path

from apps.citizens.web import breakglass, consents, views

app_name = "citizens"

urlpatterns = [
    path("citizens/", views.search, name="search"),
    path("citizens/new/", views.register, name="new"),
    path("citizens/<id:pk>/", views.citizen_detail, name="citizen"),
    path("citizens/<id:pk>/consents/new/", consents.consent_new, name="consent-new"),
    path(
        "citizens/<id:pk>/consents/<id:consent>/withdraw/",
        consents.consent_withdraw,
        name="consent-withdraw",
    ),
    path("break-glass/", breakglass.break_glass, name="break-glass"),
]
