from django.urls import path

from apps.plans.web import coordinator, edits, newplan, pages

app_name = "plans"

urlpatterns = [
    path("plans/", pages.plan_list, name="list"),
    path("plans/new/", newplan.step_citizen, name="new"),
    path("plans/new/people/", newplan.step_people, name="new-people"),
    path("plans/new/goals/", newplan.step_goals, name="new-goals"),
    path("plans/new/activate/", newplan.step_activate, name="new-activate"),
    path("plans/<int:pk>/", pages.plan_detail, name="plan"),
    path("plans/<int:pk>/print/", pages.plan_print, name="print"),
    path("plans/<int:pk>/section/<slug:section>/", edits.section_view, name="section"),
    path("plans/<int:pk>/goals/new/", edits.goal_edit, name="goal-new"),
    path("plans/<int:pk>/goals/<int:part>/", edits.goal_edit, name="goal-edit"),
    path(
        "plans/<int:pk>/goals/<int:part>/delete/",
        edits.part_delete,
        {"section": "goals"},
        name="goal-delete",
    ),
    path("plans/<int:pk>/agreements/new/", edits.agreement_edit, name="agreement-new"),
    path("plans/<int:pk>/agreements/<int:part>/", edits.agreement_edit, name="agreement-edit"),
    path(
        "plans/<int:pk>/agreements/<int:part>/delete/",
        edits.part_delete,
        {"section": "agreements"},
        name="agreement-delete",
    ),
    path("plans/<int:pk>/efforts/new/", edits.effort_edit, name="effort-new"),
    path("plans/<int:pk>/efforts/<int:part>/", edits.effort_edit, name="effort-edit"),
    path(
        "plans/<int:pk>/efforts/<int:part>/delete/",
        edits.part_delete,
        {"section": "efforts"},
        name="effort-delete",
    ),
    path("plans/<int:pk>/assessment/", edits.assessment_edit, name="assessment"),
    path("plans/<int:pk>/next-review/", edits.next_review_edit, name="next-review"),
    path("plans/<int:pk>/participants/", coordinator.participants_edit, name="participants"),
    path("plans/<int:pk>/close/", coordinator.plan_close, name="close"),
]
