import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from taizhang.core.management.commands.serve import require_free_port, serve
from taizhang.demo.builder import DEMO_PASSWORD, SLUG, build_demo, demo_exists


class Command(BaseCommand):
    help = "建库、载入临汾示范活动并启动服务 (Migrate, load the Linfen demo campaign, serve)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=0.02,
            help="1 = the article's size (270 000 problems); default 0.02",
        )
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument("--no-serve", action="store_true")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 100:
            raise CommandError("--scale 应在 0 到 100 之间 (must be in (0, 100])")
        if not options["no_serve"]:
            require_free_port(options["host"], options["port"])  # before minutes of building
        call_command("migrate", verbosity=0, interactive=False)
        if demo_exists():
            self.stdout.write(f"示范活动 {SLUG} 已存在,直接使用 (demo already loaded)。")
        else:
            started = time.perf_counter()
            summary = build_demo(
                scale=scale,
                seed=options["seed"],
                progress=lambda m: self.stdout.write(f"  {m}"),
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"示范活动已生成:{summary.orgs} 个单位,{summary.problems} 个问题,"
                    f"{summary.events} 条办理记录,用时 {time.perf_counter() - started:.1f} 秒"
                )
            )
        self.stdout.write(
            f"登录名 (logins): office, city_leader, yaodu_leader, yaodu_admin, "
            f"yaodu_handler, houma_handler, inspector, operator;"
            f" 密码 (password): {DEMO_PASSWORD}"
        )
        if not options["no_serve"]:
            self.stdout.write(f"打开 http://{options['host']}:{options['port']}/")
            serve(options["host"], options["port"])
