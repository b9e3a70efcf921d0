"""The training feature's manifest."""

from comptoir.platform.features import Feature
from comptoir.adoption.training.tables import (
    TrainingCompletion,
    TrainingProgram,
    TrainingSession,
    TrainingStep,
)

FEATURE = Feature(
    name="training",
    label="Training",
    area="adoption",
    tables=(TrainingProgram, TrainingStep, TrainingCompletion, TrainingSession),
)
