"""The caseworkers of the load run (``bench/load/run.py`` starts locust on this file).

Each simulated caseworker is one user of the load run's cast (``KIP_LOAD_CAST``, a JSON file
written by ``run.py``): a token for the API (``Authorization: Token``, ``X-Organisation``) and
a session for the pages. The mix, by weight: 80 reads (plan list, plan detail, My work, the
plan page), 15 edits (``PATCH`` with ``If-Match``; a 412 from a lost race is a correct answer),
5 handovers, reviews and consent changes.

Every answer is written down (``KIP_LOAD_RECORD``, JSON lines, when locust stops): the kind,
status, the service's ``X-Request-ID``, the plan and what the answer showed, so that ``run.py``
can hold the audit trail and the plans' versions against what was really done.
"""

from __future__ import annotations

import datetime
import json
import os
import random
from typing import Any

from locust import HttpUser, between, events, task

CAST = json.loads(open(os.environ["KIP_LOAD_CAST"]).read())  # noqa: SIM115
RECORD_PATH = os.environ["KIP_LOAD_RECORD"]
WAIT_MIN = float(os.environ.get("KIP_LOAD_WAIT_MIN", "1.0"))
WAIT_MAX = float(os.environ.get("KIP_LOAD_WAIT_MAX", "4.0"))
# Edits go to the first few plans each caseworker sees, so that two of them do meet on one
# plan now and then (and one of them gets a 412).
HOT_PLANS = int(os.environ.get("KIP_LOAD_HOT_PLANS", "8"))

RECORDS: list[dict[str, Any]] = []
_next_user = iter(range(10**9))


@events.quitting.add_listener
def _write_record(environment: Any, **_kwargs: Any) -> None:
    with open(RECORD_PATH, "w") as out:
        for row in RECORDS:
            out.write(json.dumps(row) + "\n")


class Caseworker(HttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        me = CAST["users"][next(_next_user) % len(CAST["users"])]
        self.me = me
        self.api = {"Authorization": f"Token {me['token']}", "X-Organisation": str(me["org"])}
        self.page = {"Cookie": me["cookie"]}
        self.plans: list[int] = []  # ids seen in the list, newest first
        self.open_plans: list[int] = []  # of those, the ones not closed (a closed one is read only)
        self.citizens: dict[int, int] = {}  # plan id -> citizen id
        self.coordinated: list[int] = []  # active plans this caseworker coordinates
        self.rng = random.Random(me["id"])
        self._list()

    # --- what is written down -------------------------------------------------------------

    def _note(self, kind: str, response: Any, **extra: Any) -> None:
        RECORDS.append(
            {
                "kind": kind,
                "status": response.status_code,
                "request_id": response.headers.get("X-Request-ID", ""),
                "user": self.me["id"],
                "org": self.me["org"],
                # No answer at all (status 0): what the connection said.
                **({"error": repr(response.error)} if response.status_code == 0 else {}),
                **extra,
            }
        )

    def _call(self, kind: str, method: str, path: str, *, ok: tuple[int, ...], **kw: Any) -> Any:
        """One request, named by its kind in locust's figures; ``ok`` lists the answers that
        are correct (a 412 on a lost race is one). Anything else counts as a failure."""
        with self.client.request(method, path, name=kind, catch_response=True, **kw) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
        return response

    # --- reads (80) -----------------------------------------------------------------------

    def _list(self) -> None:
        response = self._call("plan list", "GET", "/api/v1/plans/", ok=(200,), headers=self.api)
        shown: list[int] = []
        if response.status_code == 200:
            self.open_plans = []
            for plan in response.json()["results"]:
                shown.append(plan["id"])
                if plan["status"] != "closed":
                    self.open_plans.append(plan["id"])
                self.citizens[plan["id"]] = plan["citizen"]
                mine = plan["coordinator"]["user"] == self.me["id"]
                if mine and plan["status"] == "active" and plan["id"] not in self.coordinated:
                    self.coordinated.append(plan["id"])
            self.plans = shown
        self._note("plan list", response, shown=shown)

    def _plan(self) -> int | None:
        return self.rng.choice(self.plans) if self.plans else None

    @task(25)
    def plan_list(self) -> None:
        self._list()

    @task(30)
    def plan_detail(self) -> None:
        plan = self._plan()
        if plan is None:
            return self._list()
        path = f"/api/v1/plans/{plan}/"
        response = self._call("plan detail", "GET", path, ok=(200,), headers=self.api)
        self._note("plan detail", response, plan=plan)

    @task(10)
    def my_work(self) -> None:
        response = self._call("My work (page)", "GET", "/", ok=(200,), headers=self.page)
        self._note("My work (page)", response)

    @task(15)
    def plan_page(self) -> None:
        plan = self._plan()
        if plan is None:
            return self._list()
        path = f"/plans/{plan}/"
        response = self._call("plan page", "GET", path, ok=(200,), headers=self.page)
        self._note("plan page", response, plan=plan)

    # --- edits (15) -----------------------------------------------------------------------

    def _etag(self, plan: int, kind: str) -> str | None:
        path = f"/api/v1/plans/{plan}/"
        response = self._call(kind, "GET", path, ok=(200,), headers=self.api)
        self._note(kind, response, plan=plan)
        return response.headers.get("ETag") if response.status_code == 200 else None

    @task(15)
    def edit(self) -> None:
        """Read the plan, think, write with the ETag read: another caseworker may have
        written in between (412: read again, as a person would, and try once more)."""
        if not self.open_plans:
            return self._list()
        plan = self.rng.choice(self.open_plans[:HOT_PLANS])
        for _attempt in range(2):
            etag = self._etag(plan, "plan detail (before edit)")
            if etag is None:
                return
            body = {"hopes": f"Skrevet af {self.me['username']} {self.rng.random():.6f}"}
            headers = {**self.api, "If-Match": etag}
            path = f"/api/v1/plans/{plan}/"
            response = self._call(
                "plan edit", "PATCH", path, ok=(200, 412), json=body, headers=headers
            )
            self._note(
                "plan edit", response, plan=plan, bumps=1 if response.status_code == 200 else 0
            )
            if response.status_code != 412:
                return

    # --- handovers, reviews, consent (5) --------------------------------------------------

    @task(2)
    def handover(self) -> None:
        """Propose the coordination of a plan to a colleague, who accepts it."""
        if not self.coordinated:
            return self._list()
        plan = self.coordinated.pop(0)
        colleague = self.rng.choice(self.me["colleagues"])
        path = f"/api/v1/plans/{plan}/handovers/"
        body = {"to_user": colleague["id"], "note": "Jeg går på orlov."}
        response = self._call(
            "handover propose", "POST", path, ok=(201,), json=body, headers=self.api
        )
        self._note("handover propose", response, plan=plan)
        if response.status_code != 201:
            return
        handover = response.json()["id"]
        theirs = {
            "Authorization": f"Token {colleague['token']}",
            "X-Organisation": str(self.me["org"]),
        }
        path = f"/api/v1/handovers/{handover}/accept/"
        response = self._call("handover accept", "POST", path, ok=(200,), json={}, headers=theirs)
        self._note(
            "handover accept",
            response,
            plan=plan,
            handover=handover,
            user_as=colleague["id"],
            bumps=1 if response.status_code == 200 else 0,
        )

    @task(2)
    def review(self) -> None:
        if not self.coordinated:
            return self._list()
        plan = self.rng.choice(self.coordinated)
        etag = self._etag(plan, "plan detail (before review)")
        if etag is None:
            return
        today = datetime.datetime.now(datetime.UTC).astimezone().date()
        body = {
            "held_on": today.isoformat(),
            "outcome": "continue",
            "next_review": (today + datetime.timedelta(days=90)).isoformat(),
            "participants": ["Borgeren", self.me["username"]],
            "notes": "Status: det går fremad.",
        }
        path = f"/api/v1/plans/{plan}/reviews/"
        headers = {**self.api, "If-Match": etag}
        response = self._call("review", "POST", path, ok=(201, 412), json=body, headers=headers)
        self._note("review", response, plan=plan, bumps=1 if response.status_code == 201 else 0)

    @task(1)
    def consent(self) -> None:
        """An oral consent for the caseworker's own organisation, then withdrawn again (the
        written one still covers it, so nobody loses access; the plan's version moves)."""
        plan = self._plan()
        if plan is None:
            return self._list()
        citizen = self.citizens[plan]
        path = f"/api/v1/citizens/{citizen}/consents/"
        body = {"organisations": [self.me["org"]], "form": "oral"}
        response = self._call("consent give", "POST", path, ok=(201,), json=body, headers=self.api)
        self._note("consent give", response, plan=plan, citizen=citizen)
        if response.status_code != 201:
            return
        consent = response.json()["id"]
        path = f"/api/v1/citizens/{citizen}/consents/{consent}/withdraw/"
        response = self._call(
            "consent withdraw", "POST", path, ok=(200,), json={}, headers=self.api
        )
        self._note("consent withdraw", response, plan=plan, citizen=citizen, consent=consent)
