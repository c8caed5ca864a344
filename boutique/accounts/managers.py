from django.contrib.auth.base_user import BaseUserManager


class UserManager(BaseUserManager):
    """Used by `createsuperuser` and fixtures; the app itself creates users through
    `boutique.accounts.services.user_register`."""

    use_in_migrations = True

    def _create(self, email, password, **fields):
        from .domain import normalise_email, normalise_phone

        email = normalise_email(email)
        if fields.get("phone"):
            fields["phone"] = normalise_phone(fields["phone"])
        status = fields.setdefault("status", "active")
        fields["is_active"] = status == "active"
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **fields):
        fields.setdefault("role", "customer")
        return self._create(email, password, **fields)

    def create_superuser(self, email=None, password=None, **fields):
        fields.update(role="admin", is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)
