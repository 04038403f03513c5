"""Authentication that knows which kommune it is on."""

from django.contrib.auth.backends import ModelBackend

from kompetence.models import User


class KommuneModelBackend(ModelBackend):
    """Username (or e-mail) and password, looked up among the users of the request's
    kommune only.

    On a kommune host only that kommune's users can sign in; on the bare domain only
    platform operators (users without a kommune) can. A user of kommune A typing the
    right password on kommune B's host gets the same answer as a wrong password.

    What was typed is first a username; failing that, the e-mail of exactly one active
    login of the kommune. An e-mail that several active logins share signs no one in
    (the import may give two people one address), as a wrong password does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        kommune = getattr(request, "kommune", None)
        if kommune is not None and kommune.sso_only:
            return None  # this kommune signs in only through its own login (SSO)
        user = _login_named(kommune, username.strip())
        if user is None:
            # Spend the same time as a real check so timing does not reveal usernames.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in login with its person, in one query: every request on a kommune
        host needs both (KommuneMiddleware), so the person is joined rather than read
        after the login."""
        user = User._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def _login_named(kommune, typed: str) -> User | None:
    user = User.objects.filter(kommune=kommune, username__iexact=typed).first()
    if user is not None or kommune is None or "@" not in typed:
        return user
    by_email = list(User.objects.filter(kommune=kommune, email__iexact=typed, is_active=True)[:2])
    return by_email[0] if len(by_email) == 1 else None


def login_key_prefix(kommune) -> str:
    """What every login key of `kommune` starts with (a slug holds no "/")."""
    return f"{kommune.slug if kommune else '-'}/"


def login_key(request, credentials) -> str:
    """The login django-axes counts failures for: kommune and username, so a lock in
    one kommune never locks the same username in another."""
    username = (credentials or {}).get("username", "") or ""
    return login_key_prefix(getattr(request, "kommune", None)) + username.strip().lower()
