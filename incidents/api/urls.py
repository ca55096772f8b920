from rest_framework.routers import SimpleRouter

from incidents.api.views import GbvReferralViewSet, IncidentViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("gbv-referrals", GbvReferralViewSet, basename="gbv-referral")
urlpatterns = router.urls
