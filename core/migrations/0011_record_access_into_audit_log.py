"""The record access log becomes part of the audit log: every GBV record view already read is copied into
AuditEntry (action gbv_viewed, the record's type and number, the channel), then RecordAccess goes."""

from django.db import migrations

BATCH = 1000


def copy_into_audit_log(apps, schema_editor):
    record_access = apps.get_model("core", "RecordAccess")
    audit_entry = apps.get_model("core", "AuditEntry")
    batch = []
    for access in record_access.objects.select_related("user", "content_type").order_by("pk").iterator():
        batch.append(
            audit_entry(
                at=access.at,
                action="gbv_viewed",
                actor=access.user,
                username=access.user.username[:150],
                object_type=f"{access.content_type.app_label}.{access.content_type.model}",
                object_id=str(access.object_id),
                details={"channel": access.channel},
            )
        )
        if len(batch) >= BATCH:
            audit_entry.objects.bulk_create(batch)
            batch = []
    audit_entry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_identity_tokens_audit"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_into_audit_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="RecordAccess"),
    ]
