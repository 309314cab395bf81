from django.urls import include, path

from apps.access import token_api
from apps.administration.api import urls as administration_urls
from apps.audit.api import urls as audit_urls
from apps.citizens.api import views as citizens
from apps.organisations.api import views as organisations
from apps.plans.api import network as plan_network
from apps.plans.api import views as plans

urlpatterns = [
    path("auth/token/", token_api.TokenObtain.as_view(), name="token"),
    path("auth/logout/", token_api.TokenLogout.as_view(), name="auth-logout"),
    path("me/", organisations.Me.as_view(), name="me"),
    path("organisations/", organisations.OrganisationList.as_view(), name="organisation-list"),
    path(
        "organisations/<id:pk>/",
        organisations.OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
    path("citizens/", citizens.CitizenList.as_view(), name="citizen-list"),
    path("citizens/<id:pk>/", citizens.CitizenDetail.as_view(), name="citizen-detail"),
    path("citizens/<id:citizen_pk>/consents/", citizens.ConsentList.as_view(), name="consent-list"),
    path(
        "citizens/<id:citizen_pk>/consents/<id:pk>/withdraw/",
        citizens.ConsentWithdraw.as_view(),
        name="consent-withdraw",
    ),
    path("plans/", plans.PlanList.as_view(), name="plan-list"),
    path("plans/<id:pk>/", plans.PlanDetail.as_view(), name="plan-detail"),
    path("plans/<id:pk>/close/", plans.PlanClose.as_view(), name="plan-close"),
    path(
        "plans/<id:plan_pk>/participants/",
        plans.ParticipantList.as_view(),
        name="participant-list",
    ),
    path(
        "plans/<id:plan_pk>/participants/<id:pk>/",
        plans.ParticipantDetail.as_view(),
        name="participant-detail",
    ),
    path("plans/<id:plan_pk>/goals/", plans.GoalList.as_view(), name="goal-list"),
    path("plans/<id:plan_pk>/goals/<id:pk>/", plans.GoalDetail.as_view(), name="goal-detail"),
    path("plans/<id:plan_pk>/efforts/", plans.EffortList.as_view(), name="effort-list"),
    path("plans/<id:plan_pk>/efforts/<id:pk>/", plans.EffortDetail.as_view(), name="effort-detail"),
    path("plans/<id:plan_pk>/agreements/", plans.AgreementList.as_view(), name="agreement-list"),
    path(
        "plans/<id:plan_pk>/agreements/<id:pk>/",
        plans.AgreementDetail.as_view(),
        name="agreement-detail",
    ),
    path("plans/<id:plan_pk>/network/", plan_network.NetworkList.as_view(), name="network-list"),
    path(
        "plans/<id:plan_pk>/network/<id:pk>/",
        plan_network.NetworkDetail.as_view(),
        name="network-detail",
    ),
    # coordination: handovers, reviews, hospital events, notifications
    path("", include("apps.coordination.api.urls")),
    *audit_urls.urlpatterns,
    *administration_urls.urlpatterns,
]
