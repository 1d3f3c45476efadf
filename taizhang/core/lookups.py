"""`path__under=prefix`: rows in an org subtree, written so that each database uses an index.

Paths end with "/", so a subtree is the byte range [prefix, prefix-with-last-"/"-as-"0").
SQLite compares bytes (BINARY collation) and uses the B-tree for the range; PostgreSQL uses
LIKE 'prefix%' against a varchar_pattern_ops index, whatever the database's collation.
"""

from typing import Any

from django.db.models import CharField, Lookup


@CharField.register_lookup
class Under(Lookup):
    lookup_name = "under"

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, list[Any], str]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not isinstance(self.rhs, str) or not self.rhs.endswith("/"):
            raise ValueError("path__under needs a path that ends with '/'")
        return lhs, list(lhs_params), self.rhs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params, prefix = self._parts(compiler, connection)
        upper = prefix[:-1] + "0"
        return f"({lhs} >= %s AND {lhs} < %s)", (*params, prefix, upper)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params, prefix = self._parts(compiler, connection)
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{lhs}::text LIKE %s", (*params, escaped + "%")
