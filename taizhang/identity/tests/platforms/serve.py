"""`python -m taizhang.identity.tests.platforms.serve oidc|cas PORT FOLDER`: make the
platform's database, its people and its registration of taizhang (from FOLDER/setup.json),
then serve it on 127.0.0.1:PORT until killed."""

import json
import os
import sys
from pathlib import Path


def main() -> None:
    kind, port, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    os.environ["PLATFORM_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = f"taizhang.identity.tests.platforms.{kind}_provider"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    setup = json.loads((folder / "setup.json").read_text())
    from django.contrib.auth import get_user_model

    for person in setup["people"]:
        user = get_user_model()(username=person["username"], first_name=person.get("name", ""),
                                last_name=person.get("id_card", ""))  # fmt: skip
        user.set_password(person["password"])
        user.save()
    if kind == "oidc":
        from oauth2_provider.models import Application

        Application.objects.create(
            name="taizhang", client_id=setup["client_id"], client_secret=setup["client_secret"],
            hash_client_secret=False, client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(setup["redirect_uris"]), algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )  # fmt: skip
    else:
        from cas_server.models import ReplaceAttributName, ServicePattern

        pattern = ServicePattern.objects.create(name="taizhang", pattern=setup["service_pattern"])
        ReplaceAttributName.objects.create(service_pattern=pattern, name="*", replace="")
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, verbosity=0)


if __name__ == "__main__":
    main()
