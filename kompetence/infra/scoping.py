"""The one way tenant-owned models get their manager.

django-scopes filters every query by the active kommune and raises `ScopeError` when
no kommune is active. Code that legitimately works across kommuner (tenant lookup,
migrations, cross-tenant uniqueness) opens `scopes_disabled()`
and says why at that spot.
"""

from typing import Any

from django.db import models
from django_scopes import ScopedManager

# Tenant models (with a `kommune` field) deliberately without a scoped manager, and why.
# tests/kompetence/test_tenant_models.py fails for any other tenant model without one.
UNSCOPED_MODELS = {
    "kompetence.User": "logins are looked up before a kommune is known (see models.User); "
    "the platform operators' logins have no kommune. Row-level security still covers "
    "the table (rls.LOGIN_TABLE: a kommune's logins only inside its scope)",
}


def TenantManager(
    queryset_class: type[models.QuerySet[Any]] = models.QuerySet,
) -> models.Manager[Any]:
    """A manager scoped on the model's `kommune` field, keeping `queryset_class`'s methods."""
    return ScopedManager(
        kommune="kommune", _manager_class=models.Manager.from_queryset(queryset_class)
    )
