from django.contrib.auth.base_user import BaseUserManager


class UserManager(BaseUserManager):
    """`createsuperuser` and other Django entry points create users here; both
    methods go through the audited `user_register` service."""

    use_in_migrations = True

    def create_user(self, email=None, password=None, **fields):
        from .services import user_register

        return user_register(email=email, password=password, send_verification=False, **fields)

    def create_superuser(self, email=None, password=None, **fields):
        from .services import user_register

        fields.update(role="admin", is_superuser=True)
        return user_register(email=email, password=password, send_verification=False, **fields)
