from rest_framework.routers import SimpleRouter

from activities.api.views import AssistanceViewSet, SessionViewSet

router = SimpleRouter()
router.register("assistance", AssistanceViewSet, basename="assistance")
router.register("sessions", SessionViewSet, basename="session")
urlpatterns = router.urls
