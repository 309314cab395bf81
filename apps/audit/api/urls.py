from django.urls import path

from apps.audit.api import views

urlpatterns = [
    path("audit/events/", views.EventList.as_view(), name="audit-events"),
    path("audit/unusual/", views.UnusualList.as_view(), name="audit-unusual"),
    path("audit/break-glass/", views.BreakGlassQueue.as_view(), name="break-glass-queue"),
    path(
        "audit/break-glass/<id:pk>/review/",
        views.BreakGlassReview.as_view(),
        name="break-glass-review",
    ),
    path("break-glass/", views.BreakGlassOpen.as_view(), name="break-glass-open"),
    path("citizens/<id:pk>/access-report/", views.AccessReport.as_view(), name="access-report"),
]
