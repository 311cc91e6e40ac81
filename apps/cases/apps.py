from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "apps.cases"
    label = "cases"
    verbose_name = "事项办理"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from apps.places.models import Place

        from .rollups import root_saved

        # the rollups' memo of each tree's grid depth follows its root place
        post_save.connect(root_saved, sender=Place, dispatch_uid="cases.rollups.root_saved")
        post_delete.connect(root_saved, sender=Place, dispatch_uid="cases.rollups.root_deleted")
