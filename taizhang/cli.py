"""The `taizhang` console script: every operator command is a Django management command."""

import getpass
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    from django.core.management import execute_from_command_line

    from taizhang.audit.context import Actor, acting_as

    args = list(sys.argv[1:] if argv is None else argv)
    # What a command changes is audited as the command line's (a request names its own user).
    with acting_as(Actor(None, f"命令行 {getpass.getuser()}: taizhang {' '.join(args[:1])}")):
        execute_from_command_line(["taizhang", *args])
