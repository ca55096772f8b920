from django.urls import path

from core.api import tokens, views

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", tokens.RevokeOwnTokenView.as_view(), name="api-token-revoke"),
    path("auth/tokens/", tokens.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<slug:key>/", tokens.TokenDetailView.as_view(), name="api-token-detail"),
    path("reference/<slug:slug>/", views.ReferenceListView.as_view(), name="api-reference"),
]
