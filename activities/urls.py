from activities.views import ASSISTANCE_PAGES, SESSION_PAGES

app_name = "activities"

urlpatterns = [*ASSISTANCE_PAGES.urls("assistance/"), *SESSION_PAGES.urls("sessions/")]
