from django.urls import path

from equipoise.people import account_views, admin_views, signature_views

urlpatterns = [
    path("account/", account_views.account, name="account"),
    path("account/language/", account_views.change_language, name="account-language"),
    path("account/password/", account_views.change_password, name="password-change"),
    path("account/two-factor/", account_views.enrol_second_factor, name="two-factor"),
    path("account/second-factor/", account_views.second_factor, name="second-factor"),
    path("account/recovery-codes/", account_views.recovery_codes, name="recovery-codes"),
    path("account/sessions/<int:session_id>/end/", account_views.end_session, name="session-end"),
    path("account/invitation/<str:token>/", account_views.accept_invitation, name="invitation"),
    path("account/password-reset/", account_views.password_reset_request, name="password-reset"),
    path("account/password-reset/<str:uidb64>/<str:token>/", account_views.password_reset_confirm,
         name="password-reset-confirm"),
    path("administration/sites/", admin_views.site_list, name="admin-sites"),
    path("administration/sites/<str:code>/<slug:change>/", admin_views.site_recruitment, name="admin-site-change"),
    path("administration/users/", admin_views.user_list, name="admin-users"),
    path("administration/users/<str:username>/", admin_views.user_detail, name="admin-user"),
    path("administration/users/<str:username>/<slug:change>/", admin_views.user_change, name="admin-user-change"),
    path("subjects/<str:code>/sign/", signature_views.sign_page, name="sign"),
]
