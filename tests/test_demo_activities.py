"""`load_demo` gives the December 2021 operational update's figures for mixed movements, assistance and sessions
(../shared/seeds/unhcr-mali-operational-update-2021-12.txt), counting verified records only."""

from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

from django.core.management import call_command
from django.db.models import F, Sum

from activities.models import AssistanceEvent, Session
from beneficiaries.models import Household, Movement, Person
from beneficiaries.selectors import likely_duplicate_households
from core.models import RecordEvent, User
from core.records import PEOPLE_FIELDS, people_total_expression


def _people(queryset) -> dict[str, int]:
    return queryset.aggregate(**{name: Sum(name) for name in PEOPLE_FIELDS})


def _persons(queryset) -> int:
    return queryset.aggregate(total=Sum(people_total_expression()))["total"]


def test_demo_gives_the_seed_figures_of_movements_assistance_and_sessions(db):
    call_command("load_demo", keep_open=True, stdout=StringIO())
    counts = (
        Movement.objects.count(),
        Household.objects.count(),
        AssistanceEvent.objects.count(),
        Session.objects.count(),
    )
    call_command("load_demo", keep_open=True, stdout=StringIO())
    assert (
        Movement.objects.count(),
        Household.objects.count(),
        AssistanceEvent.objects.count(),
        Session.objects.count(),
    ) == counts

    movements = Movement.objects.filter(status="verified", identified_on__year=2021)
    december = _people(movements.filter(identified_on__month=12))
    assert december == {"women": 283, "girls": 79, "men": 1239, "boys": 161, "unknown": 0}
    november = _persons(movements.filter(identified_on__month=11))
    change = (Decimal(100) * (1762 - november) / november).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert change == Decimal("29.0")

    assistance = AssistanceEvent.objects.filter(status="verified", delivered_on__year=2021)
    nfi = assistance.filter(kind__code="nfi_kit")
    assert nfi.filter(delivered_on__month=12).aggregate(total=Sum("households"))["total"] == 1386
    assert nfi.aggregate(total=Sum("households"))["total"] == 5111
    vaccinated = assistance.filter(
        kind__code="vaccination", population_group__code="refugee", region__pcode="ML01", delivered_on__month=12
    )
    assert _people(vaccinated) == {"women": 91, "girls": 0, "men": 155, "boys": 0, "unknown": 0}
    gbv_cash = assistance.filter(kind__code="cash", sector__code="gbv", delivered_on__month=12)
    by_group = {
        row["population_group__code"]: row["total"]
        for row in gbv_cash.values("population_group__code").annotate(total=Sum(people_total_expression()))
    }
    assert by_group == {"refugee": 2, "idp": 30, "host": 19}
    assert set(gbv_cash.values_list("currency", flat=True)) == {"XOF"}

    sessions = Session.objects.filter(status="verified", held_on__year=2021)
    information = sessions.filter(kind__code="information", held_on__month=12)
    assert information.aggregate(total=Sum("sessions"))["total"] == 38
    assert _persons(information) == 1033
    assert _people(information)["women"] == 283
    gao_gbv = sessions.filter(kind__code="awareness", sector__code="gbv", place__pcode="ML0703", held_on__month=12)
    assert {"women": 263, "men": 52}.items() <= _people(gao_gbv.filter(sessions=6)).items()


def test_demo_records_are_reviewed_by_someone_else_and_have_a_history(db):
    call_command("load_demo", keep_open=True, stdout=StringIO())
    for model in (Movement, Household, AssistanceEvent, Session):
        verified = model.objects.filter(status="verified")
        assert verified.exists()
        assert not verified.filter(reviewed_by=F("created_by")).exists()
        assert model.objects.exclude(status="verified").exists()  # the queues have work
    some = AssistanceEvent.objects.filter(status="verified").first()
    assert list(
        RecordEvent.objects.filter(object_id=some.pk, content_type__model="assistanceevent").values_list(
            "action", flat=True
        )
    ) == ["created", "submitted", "verified"]
    assert User.objects.filter(username="supervisor_gao").exists()


def test_demo_households_have_members_and_planted_duplicates(db):
    call_command("load_demo", keep_open=True, stdout=StringIO())
    assert Household.objects.count() > 300
    assert Person.objects.count() > 3 * Household.objects.count() // 2
    pairs = likely_duplicate_households(user=User.objects.get(username="admin"))
    assert len(pairs) == 5
    assert all(pair.merge.registration_number == "" for pair in pairs)
    assert AssistanceEvent.objects.filter(households_assisted__isnull=False).distinct().count() >= 2
