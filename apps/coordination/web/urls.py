from django.urls import path

from apps.coordination.web import discharge, effect, handovers, hospital, reviews, transitions

app_name = "coordination"

urlpatterns = [
    path("effect/", effect.effect_page, name="effect"),
    path("handovers/", handovers.handover_list, name="handovers"),
    path("handovers/<id:pk>/", handovers.handover_detail, name="handover"),
    path("handovers/<id:pk>/accept/", handovers.handover_accept, name="handover-accept"),
    path("handovers/<id:pk>/decline/", handovers.handover_decline, name="handover-decline"),
    path("handovers/<id:pk>/cancel/", handovers.handover_cancel, name="handover-cancel"),
    path("plans/<id:pk>/handover/", handovers.handover_propose, name="handover-propose"),
    path("plans/<id:pk>/reviews/", reviews.review_list, name="reviews"),
    path("plans/<id:pk>/reviews/new/", reviews.review_new, name="review-new"),
    path("plans/<id:pk>/reviews/<id:review>/", reviews.review_detail, name="review"),
    path(
        "plans/<id:pk>/reviews/<id:a>/diff/<id:b>/",
        reviews.review_compare,
        name="review-diff",
    ),
    path(
        "plans/<id:pk>/hospital-events/new/",
        hospital.hospital_event_new,
        name="hospital-event-new",
    ),
    path(
        "plans/<id:pk>/transitions/new/",
        transitions.transition_new,
        name="transition-new",
    ),
    path(
        "plans/<id:pk>/discharge-tasks/new/",
        discharge.discharge_task_edit,
        name="discharge-task-new",
    ),
    path(
        "plans/<id:pk>/discharge-tasks/<id:part>/",
        discharge.discharge_task_edit,
        name="discharge-task-edit",
    ),
    path(
        "plans/<id:pk>/discharge-tasks/<id:part>/done/",
        discharge.discharge_task_done,
        name="discharge-task-done",
    ),
    path(
        "plans/<id:pk>/discharge-tasks/<id:part>/delete/",
        discharge.discharge_task_delete,
        name="discharge-task-delete",
    ),
]
