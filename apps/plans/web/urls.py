from django.urls import path

from apps.plans.web import views

app_name = "plans"

urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/<id:pk>/", views.plan_detail, name="plan"),
]
