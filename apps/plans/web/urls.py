from django.urls import path

from apps.plans.web import coordinator, edits, faststart, network, newplan, pages

app_name = "plans"

urlpatterns = [
    path("plans/", pages.plan_list, name="list"),
    path("plans/new/", newplan.step_citizen, name="new"),
    path("plans/new/people/", newplan.step_people, name="new-people"),
    path("plans/new/goals/", newplan.step_goals, name="new-goals"),
    path("plans/new/activate/", newplan.step_activate, name="new-activate"),
    path("plans/<id:pk>/", pages.plan_detail, name="plan"),
    path("plans/<id:pk>/print/", pages.plan_print, name="print"),
    path("plans/<id:pk>/section/<slug:section>/", edits.section_view, name="section"),
    path("plans/<id:pk>/goals/new/", edits.goal_edit, name="goal-new"),
    path("plans/<id:pk>/goals/<id:part>/", edits.goal_edit, name="goal-edit"),
    path(
        "plans/<id:pk>/goals/<id:part>/delete/",
        edits.part_delete,
        {"section": "goals"},
        name="goal-delete",
    ),
    path("plans/<id:pk>/agreements/new/", edits.agreement_edit, name="agreement-new"),
    path("plans/<id:pk>/agreements/<id:part>/", edits.agreement_edit, name="agreement-edit"),
    path(
        "plans/<id:pk>/agreements/<id:part>/delete/",
        edits.part_delete,
        {"section": "agreements"},
        name="agreement-delete",
    ),
    path("plans/<id:pk>/efforts/new/", edits.effort_edit, name="effort-new"),
    path("plans/<id:pk>/efforts/<id:part>/", edits.effort_edit, name="effort-edit"),
    path(
        "plans/<id:pk>/efforts/<id:part>/delete/",
        edits.part_delete,
        {"section": "efforts"},
        name="effort-delete",
    ),
    path("plans/<id:pk>/network/new/", network.network_edit, name="network-new"),
    path("plans/<id:pk>/network/<id:part>/", network.network_edit, name="network-edit"),
    path("plans/<id:pk>/network/<id:part>/delete/", network.network_delete, name="network-delete"),
    path("plans/<id:pk>/what-matters/", edits.matters_edit, name="matters"),
    path("plans/<id:pk>/assessment/", edits.assessment_edit, name="assessment"),
    path("plans/<id:pk>/next-review/", edits.next_review_edit, name="next-review"),
    path("plans/<id:pk>/fast-start/", faststart.fast_start_edit, name="fast-start"),
    path("plans/<id:pk>/participants/", coordinator.participants_edit, name="participants"),
    path("plans/<id:pk>/close/", coordinator.plan_close, name="close"),
]
