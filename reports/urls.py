from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("monthly/", views.monthly_report, name="monthly"),
    path("months/<str:month>/close/", views.close_month, name="close-month"),
    path("months/<str:month>/close/suppression/", views.close_month_suppression, name="close-month-suppression"),
    path("months/<str:month>/reopen/", views.reopen_month, name="reopen-month"),
    path("exports/", views.exports, name="exports"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
