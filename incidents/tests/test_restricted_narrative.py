"""Restricted narratives (SPEC.md, "Access and data protection"): the narrative of an incident that has had a
sexual-violence type is for GBV focal points only, in every channel — API detail and list, the detail page and its
history, the edit form, text search, exports and notifications. The restriction is a stored flag: removing the
violation does not lift it; only a GBV focal point does.

Each channel is read by every role that reads incidents at all (monitor, supervisor, admin; the viewer reads no
record), asserting that the narrative's distinctive words are absent, and by the GBV focal point, asserting they are
present.
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import AdminArea, Job, Notification, PopulationGroup, ViolationType
from incidents import services
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"
# The words of the narrative as first written (before the sexual-violence type was added) and as it stands.
FIRST_WORDS = "QUOKKAVELD"
LATER_WORDS = "MARMOTGLEN"
FIRST_NARRATIVE = f"Men came at night from {FIRST_WORDS}."
LATER_NARRATIVE = f"The survivor was attacked behind {LATER_WORDS} school."
SECRET_WORDS = (FIRST_WORDS, LATER_WORDS)
LOCALITY = "Quartier Sosso-Koira"

NOT_FOCAL_POINTS = ("monitor", "supervisor", "admin")
EVERY_ROLE = (*NOT_FOCAL_POINTS, "viewer")
THEFT = {"type": "theft_extortion", "population_group": "idp", "men": 2}
RAPE = {"type": "rape", "population_group": "idp", "women": 1}


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_hidden(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text


def assert_shown(text: str, *words: str) -> None:
    for word in words or (LATER_WORDS,):
        assert word in text


@pytest.fixture
def restricted(people: Any) -> Incident:
    """An incident of Gao the monitor wrote through the API: first a theft with one narrative, then a change
    adding a rape and rewriting the narrative — so the history holds both narratives' words."""
    client = api(people.monitor)
    created = client.post(
        URL,
        {
            "reported_on": "2023-05-04",
            "place": "ML0701",
            "locality": LOCALITY,
            "narrative": FIRST_NARRATIVE,
            "urgent": True,
            "violations": [THEFT],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    changed = client.patch(
        f"{URL}{created.json()['id']}/",
        {"version": 1, "narrative": LATER_NARRATIVE, "violations": [THEFT, RAPE]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    return Incident.objects.get(pk=created.json()["id"])


# --- the flag


class TestFlag:
    def test_set_when_a_sexual_violence_type_is_saved_through_the_api(self, restricted: Incident) -> None:
        assert restricted.narrative_restricted

    def test_set_on_creation_through_the_api(self, people: Any) -> None:
        answer = api(people.monitor).post(
            URL,
            {"reported_on": "2023-05-04", "place": "ML0701", "narrative": LATER_NARRATIVE, "violations": [RAPE]},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        assert Incident.objects.get(pk=answer.json()["id"]).narrative_restricted
        # The author wrote it, but reads it back as anyone else who is not a GBV focal point.
        assert_hidden(answer.content.decode())

    def test_set_on_creation_through_the_page(self, people: Any, client: Any) -> None:
        client.force_login(people.monitor)
        response = client.post(reverse("incidents:create"), page_form(RAPE))
        assert response.status_code == 302
        assert Incident.objects.get().narrative_restricted

    def test_not_set_without_sexual_violence(self, people: Any) -> None:
        answer = api(people.monitor).post(
            URL, {"reported_on": "2023-05-04", "place": "ML0701", "violations": [THEFT]}, format="json"
        )
        assert answer.json()["narrative_restricted"] is False
        assert not Incident.objects.get(pk=answer.json()["id"]).narrative_restricted

    def test_bulk_marking_for_the_demo_and_imports(self, people: Any) -> None:
        rape = IncidentFactory(created_by=people.monitor, violations=[RAPE])
        theft = IncidentFactory(created_by=people.monitor, violations=[THEFT])
        Incident.objects.update(narrative_restricted=False)
        assert services.restrict_sexual_violence_narratives(Incident.objects.all()) == 1
        assert Incident.objects.get(pk=rape.pk).narrative_restricted
        assert not Incident.objects.get(pk=theft.pk).narrative_restricted

    def test_data_migration_marks_existing_incidents(self, people: Any) -> None:
        rape = IncidentFactory(created_by=people.monitor, violations=[THEFT, RAPE])
        theft = IncidentFactory(created_by=people.monitor, violations=[THEFT])
        Incident.objects.update(narrative_restricted=False)
        migration = importlib.import_module("incidents.migrations.0003_incident_narrative_restricted")
        migration.restrict_existing(apps, None)
        assert Incident.objects.get(pk=rape.pk).narrative_restricted
        assert not Incident.objects.get(pk=theft.pk).narrative_restricted


# --- reading: API, pages, history, edit form


class TestApi:
    @pytest.mark.parametrize("role", EVERY_ROLE)
    def test_detail_hides_the_narrative(self, people: Any, restricted: Incident, role: str) -> None:
        answer = api(getattr(people, role)).get(f"{URL}{restricted.pk}/")
        assert answer.status_code == (404 if role == "viewer" else 200)
        assert_hidden(answer.content.decode())
        if role != "viewer":
            assert answer.json()["narrative"] is None
            assert answer.json()["narrative_restricted"] is True

    @pytest.mark.parametrize("role", EVERY_ROLE)
    def test_list_hides_the_narrative(self, people: Any, restricted: Incident, role: str) -> None:
        answer = api(getattr(people, role)).get(URL)
        assert_hidden(answer.content.decode())
        if role != "viewer":
            assert [row["id"] for row in answer.json()["results"]] == [restricted.pk]

    def test_focal_point_reads_it(self, people: Any, restricted: Incident) -> None:
        assert api(people.gbv).get(f"{URL}{restricted.pk}/").json()["narrative"] == LATER_NARRATIVE
        assert_shown(api(people.gbv).get(URL).content.decode())


class TestPages:
    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_detail_page_and_its_history_hide_the_narrative(
        self, people: Any, client: Any, restricted: Incident, role: str
    ) -> None:
        client.force_login(getattr(people, role))
        response = client.get(reverse("incidents:detail", args=[restricted.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert_hidden(html)
        assert "restricted to GBV focal points" in html
        # The history says the narrative changed, without what it said.
        assert "changed (restricted to GBV focal points)" in html

    def test_viewer_reads_no_incident_page(self, people: Any, client: Any, restricted: Incident) -> None:
        client.force_login(people.viewer)
        response = client.get(reverse("incidents:detail", args=[restricted.pk]))
        assert response.status_code == 404
        assert_hidden(response.content.decode())

    def test_focal_point_reads_the_narrative_and_its_history(
        self, people: Any, client: Any, restricted: Incident
    ) -> None:
        client.force_login(people.gbv)
        html = client.get(reverse("incidents:detail", args=[restricted.pk])).content.decode()
        assert_shown(html, FIRST_WORDS, LATER_WORDS)

    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_edit_form_has_no_narrative(self, people: Any, client: Any, restricted: Incident, role: str) -> None:
        client.force_login(getattr(people, role))
        response = client.get(reverse("incidents:edit", args=[restricted.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert_hidden(html)
        assert 'name="narrative"' not in html


# --- search


class TestSearch:
    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_api_search_does_not_match_restricted_words(self, people: Any, restricted: Incident, role: str) -> None:
        client = api(getattr(people, role))
        assert client.get(URL, {"q": LATER_WORDS}).json()["count"] == 0
        assert client.get(URL, {"q": LOCALITY}).json()["count"] == 1

    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_page_search_does_not_match_restricted_words(
        self, people: Any, client: Any, restricted: Incident, role: str
    ) -> None:
        client.force_login(getattr(people, role))
        assert client.get(reverse("incidents:list"), {"q": LATER_WORDS}).context["page"].paginator.count == 0
        assert client.get(reverse("incidents:list"), {"q": LOCALITY}).context["page"].paginator.count == 1

    def test_focal_point_searches_it(self, people: Any, client: Any, restricted: Incident) -> None:
        assert api(people.gbv).get(URL, {"q": LATER_WORDS}).json()["count"] == 1
        client.force_login(people.gbv)
        assert client.get(reverse("incidents:list"), {"q": LATER_WORDS}).context["page"].paginator.count == 1

    def test_unrestricted_narratives_stay_searchable(self, people: Any) -> None:
        IncidentFactory(created_by=people.monitor, narrative=f"Cattle taken near {FIRST_WORDS}.")
        assert api(people.supervisor).get(URL, {"q": FIRST_WORDS}).json()["count"] == 1


# --- writing: others edit the rest, never the narrative


class TestEditing:
    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_api_refuses_a_narrative_from_others(self, people: Any, restricted: Incident, role: str) -> None:
        answer = api(getattr(people, role)).patch(
            f"{URL}{restricted.pk}/", {"version": restricted.version, "narrative": ""}, format="json"
        )
        assert answer.status_code == 400
        assert "narrative" in answer.json()
        assert Incident.objects.get(pk=restricted.pk).narrative == LATER_NARRATIVE

    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_others_edit_the_rest_through_the_api(self, people: Any, restricted: Incident, role: str) -> None:
        answer = api(getattr(people, role)).patch(
            f"{URL}{restricted.pk}/", {"version": restricted.version, "locality": "Château"}, format="json"
        )
        assert answer.status_code == 200, answer.json()
        assert_hidden(answer.content.decode())
        saved = Incident.objects.get(pk=restricted.pk)
        assert (saved.locality, saved.narrative) == ("Château", LATER_NARRATIVE)

    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_others_edit_the_rest_through_the_page(
        self, people: Any, client: Any, restricted: Incident, role: str
    ) -> None:
        client.force_login(getattr(people, role))
        data = page_form(THEFT, RAPE, saved=2, locality="Château", narrative="", version=restricted.version)
        response = client.post(reverse("incidents:edit", args=[restricted.pk]), data)
        assert response.status_code == 302
        saved = Incident.objects.get(pk=restricted.pk)
        assert (saved.locality, saved.narrative) == ("Château", LATER_NARRATIVE)

    def test_a_conflict_does_not_show_the_narrative_restricted_meanwhile(self, people: Any, client: Any) -> None:
        """The monitor opens the form; meanwhile the supervisor adds a rape and rewrites the narrative; the
        monitor's save is a conflict whose page must not show what the narrative says now."""
        created = api(people.monitor).post(
            URL,
            {"reported_on": "2023-05-04", "place": "ML0701", "narrative": FIRST_NARRATIVE, "violations": [THEFT]},
            format="json",
        )
        incident = Incident.objects.get(pk=created.json()["id"])
        changed = api(people.supervisor).patch(
            f"{URL}{incident.pk}/",
            {"version": 1, "narrative": LATER_NARRATIVE, "violations": [THEFT, RAPE]},
            format="json",
        )
        assert changed.status_code == 200, changed.json()
        client.force_login(people.monitor)
        data = page_form(THEFT, saved=1, locality="Château", narrative=FIRST_NARRATIVE, version=1)
        response = client.post(reverse("incidents:edit", args=[incident.pk]), data)
        assert response.status_code == 409
        assert LATER_WORDS not in response.content.decode()
        assert Incident.objects.get(pk=incident.pk).narrative == LATER_NARRATIVE


# --- the attack: remove the sexual-violence violation, then read


class TestRemovingTheViolation:
    @pytest.mark.parametrize("role", ["monitor", "supervisor"])
    def test_removing_it_through_the_api_keeps_the_narrative_hidden(
        self, people: Any, client: Any, restricted: Incident, role: str
    ) -> None:
        user = getattr(people, role)
        answer = api(user).patch(
            f"{URL}{restricted.pk}/", {"version": restricted.version, "violations": [THEFT]}, format="json"
        )
        assert answer.status_code == 200, answer.json()
        assert_hidden(answer.content.decode())
        assert not Incident.objects.get(pk=restricted.pk).violations.filter(type__sexual_violence=True).exists()
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted
        assert_hidden(api(user).get(f"{URL}{restricted.pk}/").content.decode())
        assert_hidden(api(user).get(URL).content.decode())
        assert api(user).get(URL, {"q": LATER_WORDS}).json()["count"] == 0
        client.force_login(user)
        assert_hidden(client.get(reverse("incidents:detail", args=[restricted.pk])).content.decode())
        assert_hidden(client.get(reverse("incidents:edit", args=[restricted.pk])).content.decode())
        assert client.get(reverse("incidents:list"), {"q": LATER_WORDS}).context["page"].paginator.count == 0

    def test_removing_it_through_the_page_keeps_the_narrative_hidden(
        self, people: Any, client: Any, restricted: Incident
    ) -> None:
        client.force_login(people.supervisor)
        # The two saved rows, the rape one ticked for removal.
        data = page_form(THEFT, RAPE, saved=2, version=restricted.version, **{"violations-1-DELETE": "on"})
        assert client.post(reverse("incidents:edit", args=[restricted.pk]), data).status_code == 302
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted
        assert_hidden(client.get(reverse("incidents:detail", args=[restricted.pk])).content.decode())


# --- lifting the restriction: GBV focal points only


def lift_url(incident: Incident) -> str:
    return f"{URL}{incident.pk}/lift-narrative-restriction/"


class TestLifting:
    @pytest.mark.parametrize("role", NOT_FOCAL_POINTS)
    def test_others_may_not_lift_it_through_the_api(self, people: Any, restricted: Incident, role: str) -> None:
        answer = api(getattr(people, role)).post(lift_url(restricted), {"version": restricted.version}, format="json")
        assert answer.status_code == 403
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted

    def test_out_of_scope_is_404(self, people: Any, restricted: Incident) -> None:
        for user in (people.outsider, people.viewer):
            answer = api(user).post(lift_url(restricted), {"version": restricted.version}, format="json")
            assert answer.status_code == 404
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted

    def test_others_may_not_lift_it_with_a_patch(self, people: Any, restricted: Incident) -> None:
        api(people.supervisor).patch(
            f"{URL}{restricted.pk}/", {"version": restricted.version, "narrative_restricted": False}, format="json"
        )
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted

    def test_focal_point_lifts_it_through_the_api(self, people: Any, restricted: Incident) -> None:
        answer = api(people.gbv).post(lift_url(restricted), {"version": restricted.version}, format="json")
        assert answer.status_code == 200, answer.json()
        assert answer.json()["narrative_restricted"] is False
        assert api(people.supervisor).get(f"{URL}{restricted.pk}/").json()["narrative"] == LATER_NARRATIVE
        # Twice is a conflict, not a silent success.
        again = api(people.gbv).post(lift_url(restricted), {"version": restricted.version + 1}, format="json")
        assert again.status_code == 409

    def test_focal_point_lifts_it_through_the_page(self, people: Any, client: Any, restricted: Incident) -> None:
        url = reverse("incidents:lift-narrative-restriction", args=[restricted.pk])
        client.force_login(people.supervisor)
        assert client.post(url, {"version": restricted.version}).status_code == 403
        client.force_login(people.gbv)
        assert f'action="{url}"' in client.get(reverse("incidents:detail", args=[restricted.pk])).content.decode()
        assert client.post(url, {"version": restricted.version}).status_code == 302
        assert not Incident.objects.get(pk=restricted.pk).narrative_restricted

    def test_the_history_line_of_a_lift_reads_in_the_readers_language(
        self, people: Any, client: Any, restricted: Incident
    ) -> None:
        """Written by the system in English (its source), shown to a French reader in French."""
        services.incident_lift_narrative_restriction(incident=restricted, by=people.gbv)
        client.force_login(people.gbv)
        client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        html = client.get(reverse("incidents:detail", args=[restricted.pk])).content.decode()
        assert "Restriction du récit levée par un point focal VBG." in html
        assert "Narrative restriction lifted" not in html

    @pytest.mark.parametrize("version", ["abc", "²", "1e309", ""])
    def test_the_page_refuses_a_lift_without_a_whole_version(
        self, people: Any, client: Any, restricted: Incident, version: str
    ) -> None:
        url = reverse("incidents:lift-narrative-restriction", args=[restricted.pk])
        client.force_login(people.gbv)
        answer = client.post(url, {"version": version})
        assert answer.status_code == 400
        assert "version" in answer.content.decode()
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted

    @pytest.mark.parametrize(
        "body", ["[]", '"x"', '{"version": "abc"}', '{"version": []}', '{"version": 1e309}', '{"version": "²"}']
    )
    def test_bad_bodies_are_400(self, people: Any, restricted: Incident, body: str) -> None:
        answer = api(people.gbv).post(lift_url(restricted), body, content_type="application/json")
        assert answer.status_code == 400
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted

    def test_a_lifted_restriction_holds_until_a_sexual_violence_type_is_added_again(
        self, people: Any, restricted: Incident
    ) -> None:
        services.incident_lift_narrative_restriction(incident=restricted, by=people.gbv)
        incident = Incident.objects.get(pk=restricted.pk)
        services.incident_update(
            incident=incident,
            by=people.supervisor,
            version=incident.version,
            fields={},
            violations=[row(THEFT), row(RAPE)],
        )
        assert not Incident.objects.get(pk=restricted.pk).narrative_restricted
        incident = Incident.objects.get(pk=restricted.pk)
        services.incident_update(
            incident=incident, by=people.supervisor, version=incident.version, fields={}, violations=[row(THEFT)]
        )
        incident = Incident.objects.get(pk=restricted.pk)
        services.incident_update(
            incident=incident, by=people.supervisor, version=incident.version, fields={}, violations=[row(RAPE)]
        )
        assert Incident.objects.get(pk=restricted.pk).narrative_restricted


# --- exports and notifications


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_records_export_carries_no_restricted_narrative(
    people: Any, restricted: Incident, django_capture_on_commit_callbacks: Callable[..., Any], fmt: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(people.admin).post(
            "/api/v1/exports/", {"kind": "records", "record_type": "incidents", "format": fmt}, format="json"
        )
    assert answer.status_code == 202, answer.json()
    job = Job.objects.get(pk=answer.json()["id"])
    assert job.status == "done", job.errors
    content = job.result.read()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert [row for row in rows[1:] if str(restricted.pk) in row]
        assert_hidden(content.decode("utf-8-sig"))
    else:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(cell) for sheet in workbook.worksheets for line in sheet.iter_rows(values_only=True) for cell in line
        ]
        assert str(restricted.pk) in cells
        assert_hidden(" ".join(cells))


def test_notifications_carry_no_narrative(people: Any, restricted: Incident) -> None:
    client = api(people.monitor)
    assert (
        client.post(f"{URL}{restricted.pk}/submit/", {"version": restricted.version}, format="json").status_code == 200
    )
    answer = api(people.supervisor).post(
        f"{URL}{restricted.pk}/return/", {"version": restricted.version + 1, "comment": "Add the date."}, format="json"
    )
    assert answer.status_code == 200
    messages = list(Notification.objects.values_list("message", flat=True))
    assert len(messages) >= 2  # the urgent submission to the supervisor, the return to the author
    assert_hidden(" ".join(messages))


# --- helpers


def row(values: dict[str, Any]) -> dict[str, Any]:
    """A violation as the services take it."""
    values = dict(values)
    return {
        "type": ViolationType.objects.get(code=values.pop("type")),
        "population_group": PopulationGroup.objects.get(code=values.pop("population_group")),
        **values,
    }


def page_form(*violations: dict[str, Any], saved: int = 0, **fields: Any) -> dict[str, Any]:
    """The incident form as the page posts it; `saved`: how many of the rows are the incident's saved ones."""
    data: dict[str, Any] = {
        "reported_on": "2023-05-04",
        "place": AdminArea.objects.get(pcode="ML0701").pk,
        "locality": LOCALITY,
        "narrative": LATER_NARRATIVE,
        "violations-TOTAL_FORMS": str(len(violations)),
        "violations-INITIAL_FORMS": str(saved),
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        "action": "draft",
    }
    for index, violation in enumerate(violations):
        values = row(violation)
        data[f"violations-{index}-type"] = values.pop("type").pk
        data[f"violations-{index}-population_group"] = values.pop("population_group").pk
        for name in ("women", "girls", "men", "boys", "unknown", "with_disability"):
            data[f"violations-{index}-{name}"] = values.get(name, 0)
    data.update(fields)
    return data
