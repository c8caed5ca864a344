"""API authentication: bearer tokens for API clients, the session for the site."""

from ninja.errors import AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        from boutique.accounts.services.tokens import token_authenticate, token_user_is_active

        api_token = token_authenticate(token)
        if api_token is None:
            return None
        if not token_user_is_active(api_token):
            raise AuthorizationError("This account is not active.")
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The signed-in site user; unsafe methods need the CSRF token as on the site."""

    param_name = "sessionid"

    def __init__(self, csrf: bool = True):
        super().__init__(csrf=csrf)

    def _get_key(self, request):
        # No session cookie: not this scheme's business, so no CSRF complaint either.
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.api_token = None
            return user
        return None


class AnonymousAllowed:
    """Last in an `auth=[...]` list: lets anonymous callers through with
    `request.auth` set to AnonymousUser, after the real schemes had their say."""

    def __call__(self, request):
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()


def optional_auth() -> list:
    return [BearerAuth(), SessionAuth(), AnonymousAllowed()]
