from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "taizhang.search"
    label = "search"

    def ready(self) -> None:
        from taizhang.core.runner import register_clock
        from taizhang.search.services import flush

        # What the writers marked and left (a large import, a deferred burst): every 2 s.
        register_clock("search-index", 2, flush)
