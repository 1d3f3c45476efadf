from django.db import models


class SearchDocument(models.Model):
    """One problem's or suggestion's entry in the full-text index, on PostgreSQL: the row also
    holds `tsv` (a tsvector under a GIN index, added by the migration). SQLite keeps no rows
    here: its entries are in the FTS5 table of their kind (`search_fts_problem`, …), whose rowid
    is the object's id."""

    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    campaign_id = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_one_per_object")
        ]
        indexes = [models.Index(fields=["kind", "campaign_id"], name="search_kind_campaign")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SearchPending(models.Model):
    """An entry to write again: marked in the transaction that changed its object (so it is
    never lost), written by `services.flush` once that transaction has committed."""

    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
