import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.audit.models import AuditLog
from boutique.backoffice import services
from boutique.backoffice.icons import ICONS
from boutique.backoffice.models import SocialLink
from boutique.backoffice.selectors import social_links_for_footer
from boutique.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def _link(**fields):
    return services.social_link_create(
        **{"platform": "instagram", "url": "https://instagram.com/calisto", **fields}
    )


def test_create_validates_and_audits():
    staff = StaffFactory()
    link = _link(actor=staff, label="Calisto on Instagram", position=2)
    entry = AuditLog.objects.get(entity_type="backoffice.sociallink", entity_id=str(link.pk))
    assert (entry.action, entry.actor) == ("social_link.created", staff)
    assert entry.new["url"] == "https://instagram.com/calisto"


@pytest.mark.parametrize(
    "url", ["http://instagram.com/calisto", "javascript:alert(1)", "ftp://x.example", "calisto"]
)
def test_only_https_addresses_are_accepted(url):
    with pytest.raises(ValidationFailed) as exc:
        _link(url=url)
    assert "url" in exc.value.field_errors
    assert not SocialLink.objects.exists()


def test_update_audits_only_the_changed_fields():
    link = _link()
    services.social_link_update(link=link, url="https://instagram.com/calisto.baby", position=0)
    entry = AuditLog.objects.get(action="social_link.updated")
    assert entry.old == {"url": "https://instagram.com/calisto"}
    assert entry.new == {"url": "https://instagram.com/calisto.baby"}


def test_footer_lists_active_links_by_position_with_their_icons(client):
    _link(platform="facebook", url="https://facebook.com/calisto", position=2)
    _link(platform="tiktok", url="https://tiktok.com/@calisto", position=1, label="TikTok videos")
    _link(platform="youtube", url="https://youtube.com/@calisto", is_active=False)
    _link(platform="other", url="https://calisto.example/blog", position=3, icon="pinterest")
    rows = social_links_for_footer()
    assert [row["url"] for row in rows] == [
        "https://tiktok.com/@calisto",
        "https://facebook.com/calisto",
        "https://calisto.example/blog",
    ]
    assert rows[0]["label"] == "TikTok videos"
    assert rows[1]["label"] == "Facebook"  # no label: the platform's name
    assert rows[2]["icon"] == ICONS["pinterest"]  # the chosen icon wins
    html = client.get(reverse("storefront:home")).content.decode()
    assert 'href="https://tiktok.com/@calisto"' in html
    assert ICONS["tiktok"] in html  # inline, nothing from a CDN
    assert "youtube.com" not in html


def test_footer_reads_the_links_once_then_from_the_cache(django_assert_num_queries):
    _link()
    social_links_for_footer()
    with django_assert_num_queries(0):
        assert len(social_links_for_footer()) == 1


def test_a_change_shows_in_the_footer_at_once():
    link = _link()
    assert social_links_for_footer()[0]["url"] == "https://instagram.com/calisto"
    services.social_link_update(link=link, url="https://instagram.com/new")
    assert social_links_for_footer()[0]["url"] == "https://instagram.com/new"
    services.social_link_delete(link=link)
    assert social_links_for_footer() == []
    assert AuditLog.objects.filter(action="social_link.deleted", entity_id=str(link.pk)).exists()


def test_footer_link_label_is_escaped(client):
    _link(label='<script>alert("x")</script>')
    html = client.get(reverse("storefront:home")).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


# --- back office ----------------------------------------------------------------------------
@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def test_admin_adds_a_link_through_the_service(staff_client):
    response = staff_client.post(
        reverse("admin:backoffice_sociallink_add"),
        {
            "platform": "whatsapp",
            "url": "https://wa.me/96170123456",
            "label": "",
            "icon": "",
            "position": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    link = SocialLink.objects.get()
    assert link.platform == "whatsapp"
    assert AuditLog.objects.filter(action="social_link.created", entity_id=str(link.pk)).exists()
    assert social_links_for_footer()[0]["url"] == "https://wa.me/96170123456"


def test_admin_refuses_a_plain_http_address(staff_client):
    response = staff_client.post(
        reverse("admin:backoffice_sociallink_add"),
        {"platform": "x", "url": "http://x.com/calisto", "position": "0", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not SocialLink.objects.exists()


def test_admin_edits_and_deletes_through_the_service(staff_client):
    link = _link()
    change = reverse("admin:backoffice_sociallink_change", args=[link.pk])
    page = staff_client.get(reverse("admin:backoffice_sociallink_changelist"))
    assert page.status_code == 200
    response = staff_client.post(
        change,
        {
            "platform": "instagram",
            "url": "https://instagram.com/other",
            "label": "Us",
            "icon": "",
            "position": "4",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="social_link.updated")
    assert entry.new == {"url": "https://instagram.com/other", "label": "Us", "position": 4}
    delete = reverse("admin:backoffice_sociallink_delete", args=[link.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert not SocialLink.objects.exists()
    assert AuditLog.objects.filter(action="social_link.deleted").exists()
