"""The organisation core: the tenant (Kommune), its units, people, positions and
MED committees, the login identity, and the audit log.

Every model here except `Kommune` and `User` belongs to exactly one kommune: it carries
a `kommune` foreign key and its default manager is a django-scopes `ScopedManager`, so
a query made outside `scope(kommune=...)` raises instead of reading every tenant.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, ClassVar

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from kompetence.infra.background import BackgroundWork
from kompetence.infra.kommune_cache import kommune_hosts_changed
from kompetence.infra.scoping import TenantManager

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class KommuneQuerySet(models.QuerySet):
    """Bulk writes to kommuner forget the lookup by host (kompetence.infra.tenancy), as
    `Kommune.save` does: a cached kommune never outlives a change to its row."""

    def update(self, **kwargs):
        try:
            return super().update(**kwargs)
        finally:
            kommune_hosts_changed()

    def bulk_update(self, objs, fields, batch_size=None):
        try:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        finally:
            kommune_hosts_changed()

    def delete(self):
        try:
            return super().delete()
        finally:
            kommune_hosts_changed()


class Kommune(models.Model):
    """The tenant. Not scoped: it is what a scope is made of."""

    slug = models.SlugField(_("kort navn"), max_length=63, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # Settings a kommune chooses for itself.
    med_min_group_size = models.PositiveSmallIntegerField(
        _("mindste gruppe i MED-tal"),
        default=5,
        help_text=_("Tal bygget på færre personer end dette vises ikke for MED-udvalg."),
    )
    # Single sign-on through the kommune's own identity provider (OpenID Connect: Azure
    # AD / Entra ID, AD FS). Set up by the platform operator with the kommune's IT.
    sso_enabled = models.BooleanField(_("log ind med kommunens login (SSO)"), default=False)
    sso_label = models.CharField(
        _("tekst på knappen"),
        max_length=100,
        blank=True,
        help_text=_("Fx »Log ind med Microsoft«."),
    )
    sso_discovery_url = models.URLField(
        _("OpenID Connect discovery-adresse"),
        blank=True,
        help_text=_(
            "Fx https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration"
        ),
    )
    sso_client_id = models.CharField(_("klient-id"), max_length=200, blank=True)
    sso_client_secret = models.CharField(_("klienthemmelighed"), max_length=500, blank=True)
    sso_claim = models.CharField(
        _("felt der matcher personens e-mail"),
        max_length=50,
        default="email",
        help_text=_("Oftest email, preferred_username eller upn."),
    )
    # GDPR retention: a leaver's evaluations and plans are deleted, and the person made
    # anonymous, this many years after they left; run daily once HR has switched it on
    # after reading the dry run (annualcycle.retention).
    retention_years = models.PositiveSmallIntegerField(
        _("år før fratrådtes data slettes"), null=True, blank=True
    )
    retention_active = models.BooleanField(_("slet automatisk"), default=False)
    # The common data-processing agreement keeps the log of use of personal data for a
    # set period; the nightly job deletes older audit entries. Empty keeps them.
    audit_retention_months = models.PositiveSmallIntegerField(
        _("måneder adgangsloggen gemmes"),
        null=True,
        blank=True,
        default=6,
        help_text=_("Logposter ældre end dette slettes hver nat. Tom: gemmes altid."),
    )
    password_login = models.BooleanField(
        _("log ind med adgangskode"),
        default=True,
        help_text=_("Slå fra, når alle logger ind med kommunens login."),
    )
    # Danish law (webtilgængelighedsloven) requires every public body's web solution to
    # link its accessibility statement, made in the Agency for Digital Government's WAS
    # tool; every page of the kommune's host shows this link in its footer.
    accessibility_statement_url = models.URLField(
        _("tilgængelighedserklæring"),
        blank=True,
        max_length=500,
        help_text=_(
            "Adressen på kommunens tilgængelighedserklæring for Kompetence, fx fra "
            "Digitaliseringsstyrelsens værktøj WAS (https://www.was.digst.dk/…)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        try:
            super().save(*args, **kwargs)
        finally:
            kommune_hosts_changed()

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        finally:
            kommune_hosts_changed()

    @property
    def sso_only(self) -> bool:
        """Everyone signs in through the kommune's own login: no passwords at all, so no
        password form, no "glemt adgangskode" and no invitations."""
        return self.sso_enabled and not self.password_login


class KommuneUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Natural keys (createsuperuser, fixtures) address platform operators only;
        # kommune users are looked up with their kommune by KommuneModelBackend.
        return self.get(kommune__isnull=True, username__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Kommune users belong to one kommune and can only sign in on its host;
    platform operators (`kommune` empty) run the deployment and see no personal data.

    No scoped manager on purpose: operators' logins belong to no kommune, and Django's
    authentication reads logins by id and natural key. On PostgreSQL the table is still
    behind the wall (kompetence.infra.rls): a kommune's logins are visible only inside its
    scope, where `KommuneMiddleware` reads the session's login. Everything personal
    lives on `Person`, which is scoped.
    """

    kommune = models.ForeignKey(
        Kommune, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    username = models.CharField(_("brugernavn"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(
        _("sprog"), max_length=8, default="da", choices=[("da", "Dansk"), ("en", "English")]
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = KommuneUserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "username"], name="user_username_unique_per_kommune"
            ),
            models.UniqueConstraint(
                fields=["username"],
                condition=Q(kommune__isnull=True),
                name="user_platform_username_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.username


def unit_path_ids(path: str) -> list[int]:
    """The primary keys in a unit's materialised path, root first:
    `/12/40/301/` gives `[12, 40, 301]`. The one place a path is taken apart."""
    return [int(part) for part in path.strip("/").split("/") if part]


class OrgUnit(models.Model):
    """A unit in the kommune's organisation tree.

    The tree is a materialised path of primary keys (`/12/40/301/`), so a subtree is
    one indexed `path LIKE '/12/40/%'` query. We keep the path ourselves instead of
    using django-treebeard because treebeard numbers root nodes globally, and the roots
    of different kommuner must not share (or collide in) one numbering.
    """

    class Kind(models.TextChoices):
        DIREKTION = "direktion", _("Direktion")
        CENTER = "center", _("Center/forvaltning")
        AFDELING = "afdeling", _("Afdeling/institution")
        TEAM = "team", _("Team")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.AFDELING)
    external_id = models.CharField(
        _("enheds-id"), max_length=64, blank=True, help_text=_("Id i løn-/HR-systemet.")
    )
    path = models.CharField(max_length=512, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # Raised by every write that changes a figure about the people in this unit, so the
    # dashboards' pre-aggregated figures (annualcycle.UnitFigures) know when to recompute.
    figures_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = TenantManager()

    class Meta:
        verbose_name = _("enhed")
        verbose_name_plural = _("enheder")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "external_id"],
                condition=~Q(external_id=""),
                name="orgunit_external_id_unique_per_kommune",
                violation_error_message=_("Enheds-id'et bruges allerede af en anden enhed."),
            )
        ]
        permissions = [
            ("lead_orgunit", "Act as leader of the unit and its subtree"),
            ("administer_orgunit", "Act as HR for the unit and its subtree"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to and including this unit."""
        return unit_path_ids(self.path)

    def is_in_subtree_of(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)


class OrgUnitUserObjectPermission(UserObjectPermissionBase):
    """django-guardian grant on one unit (and so its subtree): a substitute leader or
    an HR delegate for one centre. A direct foreign key instead of guardian's generic
    one, so grants are ordinary indexed rows that join to the unit tree."""

    kommune = models.ForeignKey(Kommune, on_delete=models.CASCADE, related_name="+")
    content_object = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)

    objects: ClassVar[UserObjectPermissionManager] = ScopedManager(
        kommune="kommune", _manager_class=UserObjectPermissionManager
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("tildelt enhedsret")
        verbose_name_plural = _("tildelte enhedsrettigheder")

    def __str__(self) -> str:
        return f"{self.permission.codename}: {self.content_object}"


class Person(models.Model):
    """An employee of the kommune. Inactive people (leavers) are kept with their history."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    employee_number = models.CharField(_("medarbejdernummer"), max_length=32)
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # The HR role: HR for the whole kommune. Code asks `permissions.is_kommune_hr`, the
    # one test for it; `permissions.is_hr_for_some_unit` also counts an HR grant for one
    # centre.
    is_hr = models.BooleanField(
        _("HR-rolle"), default=False, help_text=_("Må se og ændre hele kommunens data.")
    )
    left_on = models.DateField(_("fratrådt"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymiseret"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    # Caches for the rest of the request, set by kompetence.permissions and
    # annualcycle.action_plans (annotations only: no database columns).
    _led_unit_paths: list[str]
    _administered_unit_paths: list[str]
    _med_committees: list[MEDCommittee]
    # The account state's label on the person list, set by the person list's view.
    account_label: StrOrPromise

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "employee_number"],
                name="person_employee_number_unique_per_kommune",
                violation_error_message=_(
                    "Medarbejdernummeret bruges allerede af en anden person."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SsoIdentity(models.Model):
    """A login's account at the kommune's identity provider: the provider's `iss` and
    `sub` (OpenID Connect Core 2: unique and never reassigned within the issuer), bound
    at the first SSO sign-in, when the login is found by its e-mail. From then on that
    account signs in to this login whatever its e-mail becomes, and no other account
    can: a login has one account per issuer. Deleted with the login (retention, HR)."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(_("udsteder"), max_length=255)
    subject = models.CharField(_("id hos udstederen (sub)"), max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("SSO-konto")
        verbose_name_plural = _("SSO-konti")
        constraints = [
            models.UniqueConstraint(
                fields=["kommune", "issuer", "subject"], name="sso_identity_subject_unique"
            ),
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_identity_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class Invitation(models.Model):
    """A one-time, expiring link that lets a person choose their first password and
    signs them in (kompetence.invitations). Only a hash of the link's secret is kept, so
    reading the table does not give anyone a way in. At most one invitation per login is
    open (neither used nor revoked): sending a new one revokes the old. Deleted with the
    login."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitationer")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class PositionQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class Position(models.Model):
    """A person's job in a unit. Leadership is a position: the leader of a unit leads
    everyone in its subtree."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="positions")
    job_title = models.CharField(_("stillingsbetegnelse"), max_length=200)
    is_leader = models.BooleanField(_("leder af enheden"), default=False)
    start_date = models.DateField(_("startdato"), default=timezone.localdate)
    end_date = models.DateField(_("slutdato"), null=True, blank=True)

    objects = TenantManager(PositionQuerySet)

    class Meta:
        verbose_name = _("stilling")
        verbose_name_plural = _("stillinger")
        ordering = ["-is_leader", "start_date"]
        indexes = [models.Index(fields=["kommune", "unit", "is_leader"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="position_ends_after_start",
                violation_error_message=_("Slutdatoen ligger før startdatoen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_title}, {self.unit}"


class MEDCommitteeQuerySet(models.QuerySet):
    def open(self):
        """Committees that work now: every read that gives a member access uses this."""
        return self.filter(closed_on__isnull=True)


class MEDCommittee(models.Model):
    """A MED committee (medarbejderindflydelse og medbestemmelse): Hoved-MED for the
    whole kommune, Center-MED for a centre, Lokal-MED for a workplace. It follows the
    competence work of the unit subtree it covers, in aggregates only."""

    class Kind(models.TextChoices):
        HOVED = "hoved", _("Hoved-MED")
        CENTER = "center", _("Center-MED")
        LOKAL = "lokal", _("Lokal-MED")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("niveau"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="med_committees",
        verbose_name=_("dækker enheden"),
    )
    members = models.ManyToManyField(Person, through="MEDMembership", related_name="med_committees")
    # A closed committee is kept with its members as history; it shows no dashboard and
    # gives its members no access (`MEDCommitteeQuerySet.open`).
    closed_on = models.DateField(_("lukket"), null=True, blank=True)

    objects = TenantManager(MEDCommitteeQuerySet)

    class Meta:
        verbose_name = _("MED-udvalg")
        verbose_name_plural = _("MED-udvalg")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class MEDMembership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "formand", _("Formand")
        VICE_CHAIR = "naestformand", _("Næstformand")
        MEMBER = "medlem", _("Medlem")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(
        MEDCommittee, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="med_memberships")
    role = models.CharField(_("rolle"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    objects = TenantManager()

    class Meta:
        verbose_name = _("MED-medlemskab")
        verbose_name_plural = _("MED-medlemskaber")
        constraints = [
            models.UniqueConstraint(fields=["committee", "person"], name="med_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class AuditEntry(models.Model):
    """Who read or changed whose personal data, when (GDPR accountability)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Læst")
        CREATE = "create", _("Oprettet")
        CHANGE = "change", _("Ændret")
        DELETE = "delete", _("Slettet")
        EXPORT = "export", _("Eksporteret")
        SIGN = "sign", _("Underskrevet")
        SEARCH = "search", _("Søgt")
        API = "api", _("Hentet via API")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="audit_actions"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    subject = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="audit_subject_entries"
    )
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    # What was asked for: a search's criteria and filters, an export's scope, an API
    # call's path and parameters (the data-processing agreement asks that searches over
    # people are logged with what was searched for).
    details = models.JSONField(default=dict, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("logpost")
        verbose_name_plural = _("adgangslog")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["kommune", "subject", "-at"]),
            models.Index(fields=["kommune", "actor", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_type}"

    def object_label(self) -> str:
        """What the entry is about in the reader's words ("Person", "Udviklingsplan"):
        the model's verbose name; the stored "app.Model" label if the model is gone."""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return self.object_type
        return capfirst(model._meta.verbose_name)


class ImportJob(BackgroundWork):
    """One uploaded file on its way in: checked (a dry run) by a Celery task, shown to
    HR with what would change and every problem by line and column, then applied all
    or nothing by another task. Kinds are registered by the apps (kompetence.infra.imports)."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Kontrolleres")
        CHECKED = "checked", _("Klar til at blive gennemført")
        REFUSED = "refused", _("Afvist")
        APPLYING = "applying", _("Gennemføres")
        APPLIED = "applied", _("Gennemført")
        FAILED = "failed", _("Fejlede")

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    options = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKING)
    # The dry run's (and after applying, the applied) changes and problems.
    result = models.JSONField(default=dict)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)
