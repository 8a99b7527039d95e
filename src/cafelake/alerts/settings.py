"""`alerts.yaml`: the rising test's false-alarm rate, minimum count and trailing window.

The view's SQL cannot read a file, so `cafelake.athena.sqlfiles` writes these values into it
(`sql_values`) wherever views are created: on the local engine, by `cafelake athena apply` and
in the stack's view statements. Athena has no normal quantile either, so the false-alarm rate α
goes in as the z the score must reach, Φ⁻¹(1 − α).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

from pydantic import Field, StrictFloat, StrictInt

from cafelake.config import ConfigFiles, FileModel

FILE = "alerts.yaml"


class AlertsFile(FileModel):
    false_alarm_rate: StrictFloat = Field(gt=0, lt=0.5)
    min_posts: StrictInt = Field(ge=1)
    trailing_weeks: StrictInt = Field(ge=1, le=26)


@dataclass(frozen=True)
class AlertConfig:
    false_alarm_rate: float
    min_posts: int
    trailing_weeks: int

    @property
    def z_threshold(self) -> float:
        """The score a group-week must reach: the standard normal's upper α quantile."""
        return NormalDist().inv_cdf(1 - self.false_alarm_rate)

    def sql_values(self) -> dict[str, str]:
        """The `${…}` placeholders of the views these settings fill."""
        return {
            "rising_z": f"{self.z_threshold:.6f}",
            "rising_min_posts": str(self.min_posts),
            "trailing_weeks": str(self.trailing_weeks),
        }


def load_config(files: ConfigFiles) -> AlertConfig:
    """alerts.yaml as an AlertConfig; unknown keys and wrong types are a ConfigError naming the key."""
    return AlertConfig(**files.load(FILE, AlertsFile).model_dump())
