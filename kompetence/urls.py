"""URLs on a kommune host (fredericia.<domain>)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kompetence import accounts, sso
from kompetence.api import views as api_views
from kompetence.api.api import api_urls
from kompetence.infra import health
from kompetence.views import imports, invitations, med, organisation, personal_data
from kompetence.views import settings as settings_views

urlpatterns = [
    path("", organisation.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    path("sprog/", accounts.set_language, name="set_language"),
    path("log-ind/", accounts.LoginView.as_view(), name="login"),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("logget-ind-igen/", accounts.signed_in_again, name="signed_in_again"),
    path("log-ind/sso/", sso.sso_login, name="sso_login"),
    path("log-ind/sso/svar/", sso.sso_callback, name="sso_callback"),
    path("glemt-adgangskode/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "glemt-adgangskode/sendt/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "nulstil/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "nulstil/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("invitationer/", invitations.invitation_overview, name="invitation_overview"),
    path("personer/<int:person_id>/inviter/", invitations.person_invite, name="person_invite"),
    path("organisation/", organisation.org_tree, name="org_tree"),
    path("organisation/ny/", organisation.unit_create, name="unit_create"),
    path("organisation/<int:unit_id>/", organisation.unit_detail, name="unit_detail"),
    path("organisation/<int:unit_id>/rediger/", organisation.unit_edit, name="unit_edit"),
    path("personer/", organisation.person_list, name="person_list"),
    path("personer/ny/", organisation.person_create, name="person_create"),
    path("personer/<int:person_id>/", organisation.person_detail, name="person_detail"),
    path("personer/<int:person_id>/rediger/", organisation.person_edit, name="person_edit"),
    path("personer/<int:person_id>/fratraad/", organisation.person_leave, name="person_leave"),
    path(
        "personer/<int:person_id>/sso/fjern/",
        organisation.person_sso_unlink,
        name="person_sso_unlink",
    ),
    path(
        "personer/<int:person_id>/stillinger/ny/",
        organisation.position_create,
        name="position_create",
    ),
    path("stillinger/<int:position_id>/rediger/", organisation.position_edit, name="position_edit"),
    path("adgangslog/", organisation.audit_log, name="audit_log"),
    path("laaste-logins/", organisation.login_locks, name="login_locks"),
    path("laaste-logins/aabn/", organisation.login_lock_lift, name="login_lock_lift"),
    path("med-udvalg/", med.med_committee_list, name="med_committee_list"),
    path("med-udvalg/nyt/", med.med_committee_create, name="med_committee_create"),
    path(
        "med-udvalg/<int:committee_id>/rediger/",
        med.med_committee_edit,
        name="med_committee_edit",
    ),
    path(
        "med-udvalg/<int:committee_id>/luk/",
        med.med_committee_close,
        name="med_committee_close",
    ),
    path("indstillinger/", settings_views.kommune_settings, name="kommune_settings"),
    path("indstillinger/api-noegler/", api_views.api_token_list, name="api_token_list"),
    path(
        "indstillinger/api-noegler/<int:token_id>/tilbagekald/",
        api_views.api_token_revoke,
        name="api_token_revoke",
    ),
    # The read-only API for BI tools (kompetence.api): a token, not a session.
    path("api/v1/", include((api_urls(), "api-v1"))),
    path("import/<str:importer>/", imports.import_upload, name="import_upload"),
    path(
        "import/<str:importer>/skabelon.csv",
        imports.import_template,
        name="import_template",
    ),
    path("import/koersler/<int:job_id>/", imports.import_job, name="import_job"),
    path(
        "import/koersler/<int:job_id>/gennemfoer/",
        imports.import_job_apply,
        name="import_job_apply",
    ),
    path(
        "import/koersler/<int:job_id>/igen/",
        imports.import_job_retry,
        name="import_job_retry",
    ),
    path("mine-data/", personal_data.my_data, name="my_data"),
    path("mine-data/hent/", personal_data.my_data_download, name="my_data_download"),
    path(
        "personer/<int:person_id>/data/",
        personal_data.person_data_download,
        name="person_data_download",
    ),
    # The apps further along the data flow.
    path("", include("kompetence.saml.urls")),
    path("", include("profiles.urls.evaluations")),
    path("", include("profiles.urls.frameworks")),
    path("", include("mus.urls")),
    path("", include("catalogue.urls")),
    path("", include("annualcycle.urls")),
]

if settings.BENCH_DIAGNOSTICS:
    from kompetence.infra import diagnostics

    urlpatterns.append(path("_bench/ping/", diagnostics.ping, name="bench_ping"))

handler500 = "kompetence.infra.http.server_error"
