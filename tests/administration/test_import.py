"""CSV import: a dry run reports every row; a real run writes all rows or none."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import mail

from apps.audit.models import AccessEvent

User = get_user_model()
HEADER = "username,email,first_name,last_name,role\n"


def _rows(n: int, start: int = 0) -> str:
    return "".join(
        f"person{i},person{i}@example.org,Person,Nr {i},caseworker\n"
        for i in range(start, start + n)
    )


def _import(aw, text: str, dry_run: bool):
    return aw.client(aw.admin).post(
        "/api/v1/admin/users/import/", {"csv": text, "dry_run": dry_run}, format="json"
    )


def test_a_dry_run_reports_each_row_and_writes_nothing(aw):
    before = User.objects.count()
    body = _import(aw, HEADER + _rows(20), dry_run=True).json()
    assert body["dry_run"]
    assert body["ok"]
    assert [row["line"] for row in body["rows"]] == list(range(2, 22))
    assert User.objects.count() == before
    assert not mail.outbox


def test_twenty_people_are_imported_and_invited(aw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(aw, HEADER + _rows(20), dry_run=False)
    assert response.status_code == 200, response.json()
    assert User.objects.filter(username__startswith="person").count() == 20
    assert len(mail.outbox) == 20
    assert AccessEvent.objects.filter(action="admin", detail__what="create").count() == 20
    assert AccessEvent.objects.filter(action="admin", object_type="import").count() == 1


def test_some_bad_rows_import_nothing_and_each_bad_row_says_why(aw):
    text = (
        HEADER
        + _rows(3)
        + "coordinator,x@example.org,,,caseworker\n"  # username taken
        + "person1b,person1@example.org,,,caseworker\n"  # e-mail earlier in the file
        + "person9,person9@example.org,,,chief\n"  # no such role
        + "person0,other@example.org,,,caseworker\n"  # username earlier in the file
    )
    before = User.objects.count()
    response = _import(aw, text, dry_run=False)
    assert response.status_code == 400
    rows = {row["line"]: row["errors"] for row in response.json()["rows"]}
    assert rows[2] == rows[3] == rows[4] == {}
    assert set(rows[5]) == {"username"}
    assert set(rows[6]) == {"email"}
    assert set(rows[7]) == {"role"}
    assert set(rows[8]) == {"username"}
    assert User.objects.count() == before
    assert not mail.outbox


def test_a_file_without_the_needed_columns_is_refused_naming_it(aw):
    from tests.helpers import assert_error

    assert_error(_import(aw, "name,mail\nx,y\n", dry_run=True), 400, field="csv")
    assert_error(_import(aw, HEADER, dry_run=True), 400, field="file")
