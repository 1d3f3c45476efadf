"""How the OpenAPI schema describes the token header (drf-spectacular finds this subclass)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HeldTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "taizhang.api.authentication.HeldTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token <key>: made on /account/tokens/"}  # fmt: skip
