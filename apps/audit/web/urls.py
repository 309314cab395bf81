from django.urls import path

from apps.audit.web import breakglass, overview, views

app_name = "audit"

urlpatterns = [
    path("audit/", views.trail, name="trail"),
    path("audit/events.csv", views.trail_csv, name="trail-csv"),
    path("audit/unusual/", views.unusual, name="unusual"),
    path("audit/break-glass/", breakglass.queue, name="break-glass"),
    path("audit/break-glass/<id:pk>/review/", breakglass.review, name="break-glass-review"),
    path("overview/", overview.overview_page, name="overview"),
]
