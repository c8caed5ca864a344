"""Back office for people: every write goes through boutique.accounts.services."""

from django.contrib import admin, messages
from django.contrib.admin.options import csrf_protect_m
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from boutique.core.errors import DomainError

from . import services
from .forms_admin import PasswordSetForm, UserAddForm, UserChangeForm
from .models import Address, ApiToken, Child, OtpCode, Role, Status, User
from .services.addressbook import ADDRESS_FIELDS


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AddressInline(ReadOnlyInline):
    model = Address
    fields = readonly_fields = ADDRESS_FIELDS


class ChildInline(ReadOnlyInline):
    model = Child
    fields = readonly_fields = ("name", "birth_date", "gender", "clothing_size", "shoe_size")


class ApiTokenInline(ReadOnlyInline):
    model = ApiToken
    fields = readonly_fields = (
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    change_password_form = PasswordSetForm
    list_display = (
        "__str__",
        "full_name",
        "phone",
        "role",
        "status",
        "is_verified",
        "date_joined",
    )
    list_filter = ("role", "status", "is_verified", "is_staff")
    search_fields = ("email", "phone", "username", "first_name", "last_name")
    ordering = ("-date_joined",)
    readonly_fields = (
        "password_link",
        "role",
        "status",
        "is_staff",
        "is_superuser",
        "is_verified",
        "email_verified_at",
        "phone_verified_at",
        "last_login",
        "date_joined",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("email", "phone", "username", "password_link")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Role and status",
            {
                "fields": ("role", "status", "is_staff", "is_superuser", "groups"),
                "description": "Change role and status with the actions on the user list.",
            },
        ),
        ("Verification", {"fields": ("is_verified", "email_verified_at", "phone_verified_at")}),
        ("Dates", {"fields": ("last_login", "date_joined", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "phone",
                    "username",
                    "first_name",
                    "last_name",
                    "role",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    filter_horizontal = ("groups",)
    inlines = (AddressInline, ChildInline, ApiTokenInline)
    actions = (
        "ban_users",
        "activate_users",
        "deactivate_users",
        "make_customers",
        "make_sellers",
        "make_admins",
    )

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    @method_decorator(sensitive_post_parameters())
    @csrf_protect_m
    def add_view(self, request, form_url="", extra_context=None):
        # Without Django's surrounding transaction: user_register owns its own.
        return self._add_view(request, form_url, extra_context)

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django wraps this view in a transaction; here the services own theirs
        # (durable), so the view runs outside one.
        return self._changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description="Password")
    def password_link(self, obj):
        if obj.pk is None:
            return "-"
        state = "set" if obj.has_usable_password() else "not set (signs in by code)"
        return format_html('{} — <a href="../password/">set a new password</a>', state)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {k: data[k] for k in form.changed_data if k in services.users.PROFILE_FIELDS}
            saved = services.user_update_profile(user=obj, actor=request.user, **fields)
        else:
            saved = services.user_register(
                email=data.get("email"),
                phone=data.get("phone"),
                username=data.get("username"),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                role=data["role"],
                password=data["password1"],
                actor=request.user,
            )
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            # The inlines are read-only: nothing to save, but the admin's change
            # message reads these lists.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change and "groups" in form.changed_data:
            services.user_set_groups(
                user=form.instance, groups=form.cleaned_data["groups"], actor=request.user
            )

    def _bulk(self, request, queryset, label, call):
        done, failed = 0, []
        for user in queryset:
            if user.pk == request.user.pk:
                failed.append(f"{user}: you cannot change your own account this way")
                continue
            try:
                call(user)
                done += 1
            except DomainError as exc:
                failed.append(f"{user}: {exc.detail}")
        if done:
            self.message_user(request, f"{label}: {done} user(s).", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    def _set_status(self, request, queryset, status, label):
        self._bulk(
            request,
            queryset,
            label,
            lambda u: services.user_set_status(
                user=u, status=status, actor=request.user, reason="back office action"
            ),
        )

    def _set_role(self, request, queryset, role, label):
        self._bulk(
            request,
            queryset,
            label,
            lambda u: services.user_set_role(user=u, role=role, actor=request.user),
        )

    @admin.action(description="Ban selected users", permissions=["change"])
    def ban_users(self, request, queryset):
        self._set_status(request, queryset, Status.BANNED, "Banned")

    @admin.action(description="Activate selected users", permissions=["change"])
    def activate_users(self, request, queryset):
        self._set_status(request, queryset, Status.ACTIVE, "Activated")

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_users(self, request, queryset):
        self._set_status(request, queryset, Status.INACTIVE, "Deactivated")

    @admin.action(description="Make selected users customers", permissions=["change"])
    def make_customers(self, request, queryset):
        self._set_role(request, queryset, Role.CUSTOMER, "Now customers")

    @admin.action(description="Make selected users sellers", permissions=["change"])
    def make_sellers(self, request, queryset):
        self._set_role(request, queryset, Role.SELLER, "Now sellers")

    @admin.action(
        description="Make selected users admins (back-office staff)", permissions=["change"]
    )
    def make_admins(self, request, queryset):
        self._set_role(request, queryset, Role.ADMIN, "Now admins")


@admin.register(OtpCode)
class OtpCodeAdmin(admin.ModelAdmin):
    """Read-only: support staff can see whether codes were sent and used."""

    list_display = ("phone", "purpose", "created_at", "expires_at", "attempts", "consumed_at")
    list_filter = ("purpose",)
    search_fields = ("phone",)
    exclude = ("code_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
