from incidents import views

app_name = "incidents"

urlpatterns = [
    *views.INCIDENT_PAGES.urls(""),
    # GBV referrals: need-to-know pages (GBV focal points of the region only).
    *views.GBV_REFERRAL_PAGES.urls("gbv/"),
]
