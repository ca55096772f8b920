from django.urls import path

from reports.api import views

urlpatterns = [
    path("reports/monthly/", views.MonthlyFiguresView.as_view(), name="api-reports-monthly"),
    path("reports/tallies/", views.TalliesView.as_view(), name="api-reports-tallies"),
    path("reports/months/<str:month>/close/", views.CloseMonthView.as_view(), name="api-month-close"),
    path("reports/months/<str:month>/checklist/", views.ChecklistView.as_view(), name="api-month-checklist"),
    path("reports/months/<str:month>/reopen/", views.ReopenMonthView.as_view(), name="api-month-reopen"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="api-job"),
    path("exports/", views.ExportView.as_view(), name="api-exports"),
]
