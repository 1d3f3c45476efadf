from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "taizhang.api"
    label = "api"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from taizhang.api import schema  # noqa: F401  (registers the token scheme)
        from taizhang.api.authentication import forget_tokens
        from taizhang.api.models import ApiToken
        from taizhang.orgs.models import RoleAssignment
        from taizhang.orgs.signals import roles_changed

        for sender in (ApiToken, RoleAssignment, get_user_model()):
            uid = f"api-forget-tokens-{sender.__name__}"
            post_save.connect(forget_tokens, sender=sender, dispatch_uid=uid)
            post_delete.connect(forget_tokens, sender=sender, dispatch_uid=uid + "-deleted")
        roles_changed.connect(forget_tokens, dispatch_uid="api-forget-tokens-roles")
