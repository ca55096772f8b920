from django.urls import path

from reports import views

urlpatterns = [
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
