from beneficiaries.views import HOUSEHOLD_PAGES, MOVEMENT_PAGES

app_name = "beneficiaries"

urlpatterns = [*HOUSEHOLD_PAGES.urls("households/"), *MOVEMENT_PAGES.urls("movements/")]
