"""The back office's own records for the authorisation matrix's world (issue
10): one social link, so the admin's object URLs of SocialLink are tried on a
real row. Made through the back-office services."""

from boutique.backoffice.services import social_link_create


def add_backoffice(world) -> None:
    world.extra["social_link"] = social_link_create(
        platform="instagram", url="https://instagram.com/boutique", actor=world.staff
    )
