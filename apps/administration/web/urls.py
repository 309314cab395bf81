from django.urls import path

from apps.administration.web import views

app_name = "administration"

urlpatterns = [
    path("administration/", views.staff_page, name="staff"),
    path("administration/people/new/", views.person_new, name="person-new"),
    path("administration/people/<id:pk>/", views.person_page, name="person"),
    path("administration/people/<id:pk>/<str:what>/", views.person_leave, name="person-leave"),
    path("administration/import/", views.import_page, name="import"),
    path("administration/roles/", views.roles_page, name="roles"),
    path("administration/organisations/", views.organisations_page, name="organisations"),
    path(
        "administration/organisations/<id:pk>/",
        views.organisation_page,
        name="organisation",
    ),
]
