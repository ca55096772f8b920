from rest_framework.routers import SimpleRouter

from beneficiaries.api.views import HouseholdViewSet, MovementViewSet

router = SimpleRouter()
router.register("households", HouseholdViewSet, basename="household")
router.register("movements", MovementViewSet, basename="movement")
urlpatterns = router.urls
