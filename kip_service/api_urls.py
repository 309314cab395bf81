from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

from apps.administration.api import urls as administration_urls
from apps.audit.api import urls as audit_urls
from apps.citizens.api import views as citizens
from apps.organisations.api import views as organisations
from apps.plans.api import views as plans

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("me/", organisations.Me.as_view(), name="me"),
    path("organisations/", organisations.OrganisationList.as_view(), name="organisation-list"),
    path(
        "organisations/<int:pk>/",
        organisations.OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
    path("citizens/", citizens.CitizenList.as_view(), name="citizen-list"),
    path("citizens/<int:pk>/", citizens.CitizenDetail.as_view(), name="citizen-detail"),
    path(
        "citizens/<int:citizen_pk>/consents/", citizens.ConsentList.as_view(), name="consent-list"
    ),
    path(
        "citizens/<int:citizen_pk>/consents/<int:pk>/withdraw/",
        citizens.ConsentWithdraw.as_view(),
        name="consent-withdraw",
    ),
    path("plans/", plans.PlanList.as_view(), name="plan-list"),
    path("plans/<int:pk>/", plans.PlanDetail.as_view(), name="plan-detail"),
    path("plans/<int:pk>/close/", plans.PlanClose.as_view(), name="plan-close"),
    path(
        "plans/<int:plan_pk>/participants/",
        plans.ParticipantList.as_view(),
        name="participant-list",
    ),
    path(
        "plans/<int:plan_pk>/participants/<int:pk>/",
        plans.ParticipantDetail.as_view(),
        name="participant-detail",
    ),
    path("plans/<int:plan_pk>/goals/", plans.GoalList.as_view(), name="goal-list"),
    path("plans/<int:plan_pk>/goals/<int:pk>/", plans.GoalDetail.as_view(), name="goal-detail"),
    path("plans/<int:plan_pk>/efforts/", plans.EffortList.as_view(), name="effort-list"),
    path(
        "plans/<int:plan_pk>/efforts/<int:pk>/", plans.EffortDetail.as_view(), name="effort-detail"
    ),
    path("plans/<int:plan_pk>/agreements/", plans.AgreementList.as_view(), name="agreement-list"),
    path(
        "plans/<int:plan_pk>/agreements/<int:pk>/",
        plans.AgreementDetail.as_view(),
        name="agreement-detail",
    ),
    # coordination (issue 3): handovers, reviews, hospital events, notifications
    path("", include("apps.coordination.api.urls")),
    *audit_urls.urlpatterns,
    *administration_urls.urlpatterns,
]
