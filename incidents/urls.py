from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    *views.INCIDENT_PAGES.urls(""),
    # GBV referrals: need-to-know pages (GBV focal points of the region only).
    path("gbv/", views.gbv_referral_list, name="gbv-list"),
    path("gbv/new/", views.gbv_referral_create, name="gbv-create"),
    path("gbv/follow-up/", views.gbv_follow_up_board, name="gbv-board"),
    path("gbv/<int:pk>/", views.gbv_referral_detail, name="gbv-detail"),
    path("gbv/<int:pk>/edit/", views.gbv_referral_edit, name="gbv-edit"),
    path("gbv/<int:pk>/comment/", views.gbv_referral_comment, name="gbv-comment"),
    path("gbv/<int:pk>/withdraw-consent/", views.gbv_referral_consent, name="gbv-consent"),
    path("gbv/<int:pk>/closure/<slug:decision>/", views.gbv_referral_closure, name="gbv-closure"),
    path("gbv/<int:pk>/services/<int:service_pk>/provided/", views.gbv_service_provided, name="gbv-service-provided"),
    path("gbv/<int:pk>/<slug:step>/", views.gbv_referral_step, name="gbv-step"),
]
