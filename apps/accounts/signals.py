"""Keep the API key cache (`apikeys.user_for_key`) true to the rows it copies: saving an
account (role, scope, active) or a key (revoked in the admin) drops their cached entries."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .apikeys import forget_keys
from .models import ApiKey, User


@receiver(post_save, sender=User, dispatch_uid="accounts.user_saved.forget_keys")
def user_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if created or (fields is not None and set(fields) <= {"last_login"}):
        return  # a login's timestamp changes nothing a key may do
    forget_keys(user_id=instance.pk)


@receiver(post_save, sender=ApiKey, dispatch_uid="accounts.key_saved.forget_keys")
@receiver(post_delete, sender=ApiKey, dispatch_uid="accounts.key_deleted.forget_keys")
def key_changed(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    forget_keys(digests=[instance.key_hash])
