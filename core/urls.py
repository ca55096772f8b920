from django.contrib.auth import views as auth_views
from django.urls import path

from core import audit_views, password_views, queue, second_factor_views, session_views, token_pages, user_pages, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("my-records/", views.my_records, name="my-records"),
    path("review/", queue.review_queue, name="review-queue"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("users/", user_pages.user_list, name="user-list"),
    path("users/new/", user_pages.user_create, name="user-create"),
    path("users/<int:pk>/", user_pages.user_edit, name="user-edit"),
    path("users/<int:pk>/deactivate/", user_pages.user_deactivate, name="user-deactivate"),
    path("users/<int:pk>/reactivate/", user_pages.user_reactivate, name="user-reactivate"),
    path("users/<int:pk>/reset-link/", user_pages.user_reset_link, name="user-reset-link"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/keepalive/", session_views.keepalive, name="session-keepalive"),
    path("accounts/session/ended/", session_views.session_ended, name="session-ended"),
    path("accounts/password/change/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/tokens/", token_pages.tokens_page, name="tokens"),
    path("account/tokens/<slug:key>/revoke/", token_pages.token_revoke, name="token-revoke"),
    path("accounts/password/reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/second-factor/", second_factor_views.enrol, name="second-factor"),
    path("account/second-factor/verify/", second_factor_views.verify, name="second-factor-verify"),
    path(
        "account/second-factor/backup-codes/",
        second_factor_views.backup_codes,
        name="second-factor-backup-codes",
    ),
    path(
        "users/<int:pk>/second-factor/reset/",
        second_factor_views.reset,
        name="user-second-factor-reset",
    ),
]
