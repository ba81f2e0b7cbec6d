from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import set_language

from equipoise.web import (
    audit_views,
    auth_views,
    clasi_views,
    data_lock_views,
    eligibility_views,
    form_views,
    home,
    public,
    query_ageing,
    source_verification_views,
    subject_views,
    worklist_views,
)

FORM = "subjects/<str:code>/visits/<int:visit_pk>/forms/<slug:form_id>/"

urlpatterns = [
    path("trials/<slug:protocol_id>/", public.trial_page, name="public-trial"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("login/", auth_views.EquipoiseLoginView.as_view(), name="login"),
    path("logout/", auth_views.EquipoiseLogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("subjects/", subject_views.subject_list, name="subjects"),
    path("subjects/new/", subject_views.subject_create, name="subject-create"),
    path("subjects/<str:code>/", subject_views.subject_detail, name="subject"),
    path(FORM, form_views.form_page, name="form"),
    path(FORM + "<slug:action>/", form_views.form_transition, name="form-action"),
    path("subjects/<str:code>/end-participation/", subject_views.subject_end_participation,
         name="subject-end-participation"),
    path("subjects/<str:code>/eligibility/", eligibility_views.screening_page, name="screening"),
    path("screening-log/", eligibility_views.screening_log, name="screening-log"),
    path("audit/", audit_views.audit_list, name="audit"),
    path("worklist/", worklist_views.worklist, name="worklist"),
    path("data/locking/", data_lock_views.data_lock_page, name="data-lock"),
    path("data/locking/visit/<int:pk>/<slug:action>/", data_lock_views.data_lock_action, {"kind": "visit"},
         name="data-lock-visit"),
    path("data/locking/subject/<str:code>/<slug:action>/", data_lock_views.data_lock_action, {"kind": "subject"},
         name="data-lock-subject"),
    path("data/locking/site/<str:code>/<slug:action>/", data_lock_views.data_lock_action, {"kind": "site"},
         name="data-lock-site"),
    path("data/verification/", source_verification_views.verification_list, name="source-verification"),
    path("data/queries/", query_ageing.query_ageing, name="query-ageing"),
    path("subjects/<str:code>/clasi-trajectory.svg", clasi_views.clasi_trajectory, name="clasi-trajectory"),
]
