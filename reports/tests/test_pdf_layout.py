"""The monthly report's PDF read back as its reader reads it (issue 15): in every table each label beside its own
numbers, each table whole under its title, its header row again on every page it runs onto; nothing drawn past the
margins; no text too small to read; every chart's labels whole.

The tables are read from the drawing (tests/pdf.py: the rules under the rows, the shaded header), not from the text
alone: the numbers of December 2021 were all somewhere in the text while "Tombouctou" stood beside 73 instead of
1,090. What each table should say is written here from the figures, as the reader expects to find them.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pdfplumber
import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as in_language

from core.models import Organisation, User
from core.reference import load_initial_data
from reports import publishing
from reports.context import report_context
from reports.labels import group_labels
from reports.pdf import render_report_pdf
from reports.templatetags.figures import figure, month_name, pct, share
from reports.tests.report_month import MONTH, build_report_month
from tests.pdf import PdfTable, ink_past_margins, normalise, pdf_tables

MM = 72 / 25.4  # points
LEFT_MARGIN = RIGHT_MARGIN = 12 * MM  # static/css/print.css: @page margin 14mm 12mm 16mm
SMALLEST_TEXT_PT = 7.5


@dataclass
class Expected:
    title: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Rendered:
    language: str
    pdf: bytes
    expected: list[Expected]
    figures: dict[str, Any]


def render(user: User, month: datetime.date, language: str) -> Rendered:
    with translation.override(language):
        context = report_context(user, month, None)
        return Rendered(language, render_report_pdf(user, month), expected_tables(context), context["figures"])


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> dict[str, Rendered]:
    """The December 2021 demo report in English and French, rendered once for the module: the demo is loaded in a
    transaction that is rolled back (it takes seconds to load)."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not Organisation.objects.filter(is_lead=True).exists():
            load_initial_data(apps)  # a transactional test before this module emptied the migrations' data
        cache.clear()
        call_command("load_demo", stdout=StringIO())
        admin = User.objects.get(username="admin")
        rendered = {language: render(admin, datetime.date(2021, 12, 1), language) for language in ("en", "fr")}
        transaction.set_rollback(True)
    return rendered


# --- what each table should say


def expected_tables(context: dict[str, Any]) -> list[Expected]:
    """Every table of the report, as it should read in the current language."""
    figures = context["figures"]
    return [
        *_headline_tables(context["headline"]),
        *_incident_tables(figures),
        *_violation_tables(figures["violations"]),
        *(_gbv_tables(figures["gbv_referrals"]) if figures["gbv_referrals"] is not None else []),
        *_movement_tables(figures["movements"]),
        *_activity_tables(figures),
        *_alert_tables(figures.get("alerts")),
        _pending_table(figures["pending_review"]),
        _table(
            in_language("Incidents and violations by month"),
            [in_language("Month"), in_language("Incidents"), in_language("Violations")],
            [
                [month_name(row["month"]), figure(row["incidents"]), figure(row["violations"])]
                for row in figures["trend"]
            ],
        ),
    ]


def _table(title: str, header: list[str], rows: list[list[str]], *, empty: str = "") -> Expected:
    return Expected(
        normalise(title),
        [normalise(cell) for cell in header],
        [[normalise(cell) for cell in row] for row in rows] or [[empty]],
    )


def _groups(by_group: dict[str, Any]) -> list[list[str]]:
    labels = group_labels()
    return [[labels[code], figure(value)] for code, value in by_group.items()]


def _headline_tables(headline: dict[str, Any]) -> list[Expected]:
    tables = []
    if headline["population"]:
        rows = [[f"{row['label']} ({row['source']})", *map(figure, row["cells"])] for row in headline["population"]]
        tables.append(
            _table(
                in_language("Persons of concern by group, with the source of each figure"),
                [in_language("Group (source)"), *(date_format(day, "F Y") for day in headline["population_dates"])],
                [*rows, [in_language("Total persons of concern"), *map(figure, headline["population_totals"])]],
            )
        )
    funding = headline["funding"]
    if funding:
        donors = [[contribution.donor, "", figure(contribution.amount)] for contribution in funding.contributions.all()]
        tables.append(
            _table(
                f"{funding.currency} {figure(funding.requested)} {in_language('requested')}",
                [in_language("Funding"), in_language("Share"), funding.currency],
                [
                    [in_language("Funded"), f"{funding.funded_pct}%", figure(funding.funded)],
                    [in_language("Unfunded"), f"{funding.gap_pct}%", figure(funding.gap)],
                    *donors,
                ],
            )
        )
    return tables


def _regions(title: str, rows: list[dict[str, Any]]) -> Expected:
    return _table(
        title,
        [in_language("Region"), in_language("Count"), in_language("Share")],
        [[row["name"], figure(row["count"]), share(row["share_pct"])] for row in rows],
        empty=in_language("None."),
    )


def _incident_tables(figures: dict[str, Any]) -> list[Expected]:
    incidents = figures["incidents"]
    return [
        _table(
            in_language("Incidents documented"),
            ["", in_language("Incidents")],
            [
                [in_language("This month"), figure(incidents["count"])],
                [in_language("The month before"), figure(incidents["previous_month"])],
                [in_language("Change"), pct(incidents["change_pct"])],
                [in_language("Since January"), figure(incidents["year_to_date"])],
                [in_language("Of this month's, occurred in an earlier month"), figure(incidents["occurred_earlier"])],
            ],
        ),
        _regions(in_language("Incidents by region"), incidents["by_region"]),
    ]


def _violation_tables(violations: dict[str, Any]) -> list[Expected]:
    labels, since_january = group_labels(), violations["year_to_date_by_group"]
    none = in_language("None this month.")
    return [
        _table(
            in_language("Violations by sex and age"),
            ["", in_language("This month"), in_language("Since January")],
            [
                [labels[code], figure(value), figure(since_january[code])]
                for code, value in violations["by_group"].items()
            ],
        ),
        _table(
            in_language("Violations by category"),
            [in_language("Category"), in_language("Violations"), in_language("Incidents")],
            [
                [f"{row['code']} — {row['label']}", figure(row["count"]), figure(row["incidents"])]
                for row in violations["by_category"]
            ],
            empty=none,
        ),
        _table(
            in_language("Violations by type"),
            [
                in_language("Violation"),
                in_language("Violations"),
                in_language("Incidents"),
                in_language("Persons affected (collective)"),
            ],
            [
                [
                    row["label"],
                    figure(row["count"]),
                    figure(row["incidents"]),
                    "" if row.get("persons_affected") is None else figure(row["persons_affected"]),
                ]
                for row in violations["by_type"]
            ],
            empty=none,
        ),
        _regions(in_language("Violations by region, this month"), violations["by_region"]),
        _regions(in_language("Violations by region, since January"), violations["year_to_date_by_region"]),
    ]


def _gbv_tables(gbv: dict[str, Any]) -> list[Expected]:
    none = in_language("None this month.")
    return [
        _table(
            in_language("Referrals by GBVIMS incident type"),
            [in_language("Incident type"), in_language("Referrals")],
            [[row["label"], figure(row["count"])] for row in gbv["by_incident_type"]],
            empty=none,
        ),
        _table(
            in_language("Services referred to"),
            [in_language("Service"), in_language("Referrals")],
            [[row["label"], figure(row["count"])] for row in gbv["by_service"]],
            empty=none,
        ),
        _table(in_language("Survivors by sex and age"), ["", in_language("Survivors")], _groups(gbv["by_group"])),
    ]


def _movement_tables(movements: dict[str, Any]) -> list[Expected]:
    return [
        _table(
            in_language("Persons on the move by sex and age"),
            ["", in_language("Persons")],
            _groups(movements["persons"]["by_group"]),
        ),
        _table(
            in_language("Persons on the move by nationality"),
            [in_language("Nationality"), in_language("Persons")],
            [[row["label"], figure(row["count"])] for row in movements["by_nationality"]],
            empty=in_language("None this month."),
        ),
    ]


def _activity_tables(figures: dict[str, Any]) -> list[Expected]:
    def amounts(row: dict[str, Any]) -> str:
        return ", ".join(f"{currency} {figure(amount)}" for currency, amount in row["amounts"].items())

    assistance = _table(
        in_language("Assistance by kind, this month and since January"),
        [
            in_language("Kind"),
            in_language("Households"),
            in_language("Persons"),
            in_language("Quantity"),
            in_language("Amounts"),
            in_language("Households since January"),
            in_language("Persons since January"),
            in_language("Quantity since January"),
        ],
        [
            [
                row["label"],
                *(figure(row[key]) for key in ("households", "persons", "quantity")),
                amounts(row),
                *(figure(row[f"year_to_date_{key}"]) for key in ("households", "persons", "quantity")),
            ]
            for row in figures["assistance"]
        ],
        empty=in_language("No assistance recorded this year."),
    )
    sessions = _table(
        in_language("Sessions by kind"),
        [in_language("Kind"), in_language("Sessions"), in_language("Participants"), in_language("of whom women")],
        [
            [row["label"], figure(row["sessions"]), figure(row["participants"]), figure(row["by_group"]["women"])]
            for row in figures["sessions"]
        ],
        empty=in_language("No session this month."),
    )
    return [
        assistance,
        *_breakdown_table(
            figures["assistance"],
            ("households", "persons"),
            in_language("Assistance of each kind by sector and population group, with sex and age"),
        ),
        sessions,
        *_breakdown_table(
            figures["sessions"],
            ("sessions", "participants"),
            in_language("Sessions of each kind by sector and population group, with sex and age"),
        ),
    ]


def _breakdown_table(kinds: list[dict[str, Any]], counts: tuple[str, str], title: str) -> list[Expected]:
    """A kind's row, then each sector's, then each population group's within it (i15's breakdowns)."""
    rows = []

    def line(row: dict[str, Any]) -> list[str]:
        groups = row["by_group"]
        return [row["label"], *(figure(row[key]) for key in counts), *(figure(groups[g]) for g in group_labels())]

    for kind in kinds:
        if not kind.get("by_sector"):
            continue
        rows.append(line(kind))
        for sector in kind["by_sector"]:
            rows.append(line(sector))
            rows.extend(line(group) for group in sector.get("by_population_group", []))
    if not rows:
        return []
    labels = group_labels()
    header = [in_language("Kind, sector and population group"), *(in_language(key.capitalize()) for key in counts)]
    return [_table(title, header + list(labels.values()), rows)]


def _alert_tables(alerts: list[dict[str, Any]] | None) -> list[Expected]:
    if alerts is None:
        return []
    tables = [
        _table(
            in_language("Verified alerts raised this month, by event type and region, and the persons affected"),
            [in_language("Figure"), in_language("Count"), in_language("By region")],
            [
                [
                    row["label"],
                    figure(row["count"]),
                    ", ".join(f"{region['name']} {figure(region['count'])}" for region in row["by_region"]),
                ]
                for row in alerts
            ],
            empty=in_language("No flash alert verified this month."),
        )
    ]
    for row in alerts:
        if row.get("by_group"):
            title = in_language("%(figure)s, by sex and age") % {"figure": row["label"]}
            tables.append(_table(title, ["", in_language("Persons")], _groups(row["by_group"])))
    return tables


def _pending_table(pending: dict[str, int]) -> Expected:
    kinds = [
        ("incidents", in_language("Protection incidents")),
        ("gbv_referrals", in_language("GBV referrals")),
        ("movements", in_language("Mixed movements")),
        ("assistance", in_language("Assistance")),
        ("sessions", in_language("Sessions")),
        ("alerts", in_language("Flash alerts")),
    ]
    return _table(
        in_language("Submitted and not yet verified: not counted in this report"),
        [in_language("Record type"), in_language("Records")],
        [[label, figure(pending[key])] for key, label in kinds if key in pending],
    )


# --- reading the PDF against it


def rows_not_beside_their_numbers(rendered: Rendered) -> list[str]:
    """Each expected row (a label and its numbers) that no table of the PDF has, with what stands by that label."""
    read = [row for table in pdf_tables(rendered.pdf) for row in table.rows]
    problems = []
    for table in rendered.expected:
        for row in table.rows:
            if row not in read:
                beside = [found for found in read if found and found[0].startswith(row[0])]
                problems.append(f"{table.title}: {row} — the PDF has {beside or 'no row with that label'}")
    return problems


def tables_not_whole(rendered: Rendered) -> list[str]:
    """Each expected table missing under its title, with another header, other rows, or running onto a page
    without its header; and each table of the PDF that is none of them (drawn twice, or cut from its title)."""
    tables = pdf_tables(rendered.pdf)
    titles = {want.title for want in rendered.expected}
    problems = [
        f"a table titled {table.title!r} on page {table.page + 1}, none of the report's: {table.header} {table.rows}"
        for table in tables
        if table.title not in titles
    ]
    for want in rendered.expected:
        found = [table for table in tables if table.title == want.title]
        if len(found) != 1:
            problems.append(f"{want.title}: {len(found)} tables with this title; titles read: {_titles(tables)}")
            continue
        table = found[0]
        if table.header != want.header:
            problems.append(f"{want.title}: header {table.header} instead of {want.header}")
        if table.rows != want.rows:
            problems.append(f"{want.title}: rows {table.rows} instead of {want.rows}")
        problems.extend(
            f"{want.title}: runs onto page {page + 1} without its header"
            for page, repeated in table.continued_on
            if not repeated
        )
    return problems


def _titles(tables: list[PdfTable]) -> list[str]:
    return [table.title for table in tables]


def text_smaller_than(pdf: bytes, points: float) -> list[str]:
    """Characters drawn smaller than `points` (text of tables and of charts alike), a few per page."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            small = [char for char in page.chars if char["size"] < points and char["text"].strip()]
            if small:
                text = "".join(char["text"] for char in small[:40])
                found.append(f"page {number}: {len(small)} characters, e.g. {text!r} at {small[0]['size']:.1f} pt")
    return found


LANGUAGES = pytest.mark.parametrize("language", ["en", "fr"])


@LANGUAGES
def test_demo_december_2021_each_label_sits_beside_its_own_numbers(demo: dict[str, Rendered], language: str) -> None:
    assert rows_not_beside_their_numbers(demo[language]) == []


@LANGUAGES
def test_demo_december_2021_every_table_is_whole_with_its_header_on_every_page(
    demo: dict[str, Rendered], language: str
) -> None:
    assert tables_not_whole(demo[language]) == []


def test_demo_december_2021_reads_the_seed_reports_figures_beside_their_labels(demo: dict[str, Rendered]) -> None:
    """The figures issue 15 found against the wrong labels, and the seed report's own, read from the tables."""
    tables = {table.title: table.rows for table in pdf_tables(demo["en"].pdf)}
    assert ["Tombouctou", "1,090", "17.0%"] in tables["Violations by region, since January"]
    assert ["Mopti", "3,206", "50.0%"] in tables["Violations by region, since January"]
    assert ["Guinea", "469"] in tables["Persons on the move by nationality"]
    assert ["Women", "283"] in tables["Persons on the move by sex and age"]
    assert ["Cash assistance", "12"] in tables["Services referred to"]
    assert ["Women", "65", "1,152"] in tables["Violations by sex and age"]
    assert ["Men", "322", "4,537"] in tables["Violations by sex and age"]
    assert ["B — Right to life", "65", "61"] in tables["Violations by category"]
    assert ["This month", "373"] in tables["Incidents documented"]
    assert ["The month before", "531"] in tables["Incidents documented"]
    assert ["December 2021", "373", "440"] in tables["Incidents and violations by month"]
    french = {table.title: table.rows for table in pdf_tables(demo["fr"].pdf)}
    assert ["Tombouctou", "1 090", "17,0 %"] in french["Violations par région, depuis janvier"]


@LANGUAGES
def test_demo_december_2021_nothing_lies_past_the_margins(demo: dict[str, Rendered], language: str) -> None:
    assert ink_past_margins(demo[language].pdf, left=LEFT_MARGIN, right=RIGHT_MARGIN) == []


@LANGUAGES
def test_demo_december_2021_no_text_is_too_small_to_read(demo: dict[str, Rendered], language: str) -> None:
    assert text_smaller_than(demo[language].pdf, SMALLEST_TEXT_PT) == []


@LANGUAGES
def test_hand_built_month_each_label_sits_beside_its_own_numbers_in_whole_tables(people: Any, language: str) -> None:
    build_report_month(people)
    rendered = render(people.admin, MONTH, language)
    assert rows_not_beside_their_numbers(rendered) == []
    assert tables_not_whole(rendered) == []


@LANGUAGES
def test_hand_built_month_nothing_lies_past_the_margins_nor_is_too_small(people: Any, language: str) -> None:
    build_report_month(people)
    rendered = render(people.admin, MONTH, language)
    assert ink_past_margins(rendered.pdf, left=LEFT_MARGIN, right=RIGHT_MARGIN) == []
    assert text_smaller_than(rendered.pdf, SMALLEST_TEXT_PT) == []


def test_a_viewers_pdf_of_the_published_month_writes_each_hidden_count_in_its_own_row(people: Any) -> None:
    build_report_month(people)
    with transaction.atomic():
        publishing.close_month(MONTH, by=people.admin, published=publishing.publish(MONTH))
    rendered = render(people.viewer, MONTH, "en")
    hidden = [row for table in pdf_tables(rendered.pdf) for row in table.rows if "<5" in row or "x" in row]
    assert len(hidden) >= 5, hidden
    assert rows_not_beside_their_numbers(rendered) == []
    assert tables_not_whole(rendered) == []
