from .models import AuditLog


def audit_log_for_entity(*, entity):
    return AuditLog.objects.filter(
        entity_type=entity._meta.label_lower, entity_id=str(entity.pk)
    ).select_related("actor")
