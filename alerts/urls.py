from alerts.views import ALERT_PAGES

app_name = "alerts"

urlpatterns = ALERT_PAGES.urls("")
