from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        # the API key cache's invalidation; the password expiry check at login
        from . import passwords, signals  # noqa: F401
