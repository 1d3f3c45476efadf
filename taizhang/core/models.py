from django.db import models


class ThrottleCount(models.Model):
    """One key's uses within one fixed window (core.throttle)."""

    key = models.CharField(max_length=40)
    # Seconds since the epoch at which the window began.
    window_start = models.BigIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="unique_throttle_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start} {self.n}"
