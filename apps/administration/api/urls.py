from django.urls import path

from apps.administration.api import views

urlpatterns = [
    path("admin/users/", views.StaffList.as_view(), name="admin-user-list"),
    path("admin/users/import/", views.StaffImport.as_view(), name="admin-user-import"),
    path("admin/users/<id:pk>/", views.StaffDetail.as_view(), name="admin-user-detail"),
    path(
        "admin/users/<id:pk>/deactivate/",
        views.StaffDeactivate.as_view(),
        name="admin-user-deactivate",
    ),
    path(
        "admin/users/<id:pk>/end-membership/",
        views.StaffEndMembership.as_view(),
        name="admin-user-end-membership",
    ),
    path(
        "admin/users/<id:pk>/invite/",
        views.StaffInvite.as_view(),
        name="admin-user-invite",
    ),
    path("admin/roles/", views.RolesOn.as_view(), name="admin-roles"),
    path(
        "admin/organisations/",
        views.OrganisationAdminList.as_view(),
        name="admin-organisation-list",
    ),
    path(
        "admin/organisations/<id:pk>/",
        views.OrganisationAdminDetail.as_view(),
        name="admin-organisation-detail",
    ),
    path(
        "admin/organisations/<id:pk>/deactivate/",
        views.OrganisationAdminDeactivate.as_view(),
        name="admin-organisation-deactivate",
    ),
    path(
        "admin/organisations/<id:pk>/administrators/",
        views.OrganisationAdministrators.as_view(),
        name="admin-organisation-administrators",
    ),
]
