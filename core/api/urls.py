from django.urls import path

from core.api import views

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("reference/<slug:slug>/", views.ReferenceListView.as_view(), name="api-reference"),
]
