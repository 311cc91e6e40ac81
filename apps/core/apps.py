from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import pre_migrate, pre_save

        from . import checks  # noqa: F401  (registers the security checks)
        from .limits import refuse_too_long

        pre_save.connect(refuse_too_long, dispatch_uid="core.refuse_too_long")

        from .squash_guard import refuse_half_squashed

        pre_migrate.connect(refuse_half_squashed, dispatch_uid="core.refuse_half_squashed")

        # Pillow refuses to decode more pixels than this anywhere in the project (its default
        # lets 89 Mpx through with a warning); uploads check the header first (cases.images).
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = settings.GONGZHI_MAX_IMAGE_PIXELS
