from django.db import models

from taizhang.campaigns.models import Campaign, FocusArea


class ProblemTally(models.Model):
    """How many problems of a campaign sit in an org subtree with one combination of attributes.

    Maintained by the ledger services on every change (reports.tallies), so that figures for a
    city of 270 000 problems read a few hundred rows instead of scanning the ledger. Rebuilt and
    checked against a fresh count with `taizhang tallies`.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    # The subtree: the path of the org (an ancestor of, or equal to, each problem's lead unit).
    org_path = models.CharField(max_length=400)
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    source = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    # closed_on_time as a number, so that the key has no NULL: -1 not closed, 0 late, 1 on time.
    on_time = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "campaign",
                    "org_path",
                    "focus_area",
                    "kind",
                    "source",
                    "status",
                    "on_time",
                ],
                name="unique_tally_key",
            )
        ]
        indexes = [
            # The figures of every child unit are read from this index alone (n included).
            models.Index(
                fields=["campaign", "org_path", "status", "on_time", "n"], name="tally_by_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_path} {self.status} {self.n}"
