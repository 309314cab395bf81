from django.urls import path

from apps.notifications.web import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.mark_all_read, name="read-all"),
    path("notifications/<id:pk>/read/", views.mark_read, name="read"),
]
