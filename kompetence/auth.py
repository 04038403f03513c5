"""Authentication that knows which kommune it is on."""

from django.contrib.auth.backends import ModelBackend

from kompetence.models import User


class KommuneModelBackend(ModelBackend):
    """Username and password, looked up among the users of the request's kommune only.

    On a kommune host only that kommune's users can sign in; on the bare domain only
    platform operators (users without a kommune) can. A user of kommune A typing the
    right password on kommune B's host gets the same answer as a wrong password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        kommune = getattr(request, "kommune", None)
        if kommune is not None and kommune.sso_enabled and not kommune.password_login:
            return None  # this kommune signs in only through its own login (SSO)
        try:
            user = User.objects.get(kommune=kommune, username__iexact=username.strip())
        except User.DoesNotExist:
            # Spend the same time as a real check so timing does not reveal usernames.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def login_key_prefix(kommune) -> str:
    """What every login key of `kommune` starts with (a slug holds no "/")."""
    return f"{kommune.slug if kommune else '-'}/"


def login_key(request, credentials) -> str:
    """The login django-axes counts failures for: kommune and username, so a lock in
    one kommune never locks the same username in another."""
    username = (credentials or {}).get("username", "") or ""
    return login_key_prefix(getattr(request, "kommune", None)) + username.strip().lower()
