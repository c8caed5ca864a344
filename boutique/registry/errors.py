from django.utils.translation import gettext_lazy as _

from boutique.core.errors import Conflict, NotFound, ValidationFailed


class RegistryNotFound(NotFound):
    code = "registry_not_found"
    title = _("Registry not found")


class RegistryItemNotFound(NotFound):
    code = "registry_item_not_found"
    title = _("This item is not on the registry")


class RegistryInvalid(ValidationFailed):
    code = "registry_invalid"
    title = _("Some registry details need fixing")


class RegistryClosed(Conflict):
    code = "registry_closed"
    title = _("This registry is closed")


class RegistryItemFulfilled(Conflict):
    code = "registry_item_fulfilled"
    title = _("Someone already bought this gift")


class RegistryItemHasPurchases(Conflict):
    code = "registry_item_has_purchases"
    title = _("Friends have already bought this item")


class WantedBelowPurchased(Conflict):
    code = "registry_wanted_below_purchased"
    title = _("More have been bought than that")


class RegistryCartConflict(Conflict):
    code = "registry_cart_conflict"
    title = _("Your cart holds gifts for another registry")
