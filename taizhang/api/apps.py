from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "taizhang.api"
    label = "api"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save
        from rest_framework.authtoken.models import Token

        from taizhang.api.authentication import forget_tokens, token_made
        from taizhang.orgs.models import RoleAssignment
        from taizhang.orgs.signals import roles_changed

        for sender in (Token, RoleAssignment, get_user_model()):
            uid = f"api-forget-tokens-{sender.__name__}"
            post_save.connect(forget_tokens, sender=sender, dispatch_uid=uid)
            post_delete.connect(forget_tokens, sender=sender, dispatch_uid=uid + "-deleted")
        roles_changed.connect(forget_tokens, dispatch_uid="api-forget-tokens-roles")
        post_save.connect(token_made, sender=Token, dispatch_uid="api-audit-token-made")
