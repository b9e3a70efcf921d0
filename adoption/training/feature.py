"""The training feature's manifest."""

from comptoir.adoption.training.controllers import TrainingController
from comptoir.adoption.training.home import incomplete_panel, training_panel
from comptoir.adoption.training.pages import TrainingPages
from comptoir.adoption.training.service import on_work_done, provision_programs
from comptoir.adoption.training.tables import (
    TrainingCompletion,
    TrainingProgram,
    TrainingSession,
    TrainingStep,
)
from comptoir.platform.features import EVERY_ACTION, Feature, HomePanel, NavEntry

FEATURE = Feature(
    name="training",
    label="Training",
    area="adoption",
    api_routes=(TrainingController,),
    page_routes=(TrainingPages,),
    nav=(
        NavEntry(
            key="adoption-training",
            label="Training",
            path="/adoption/training",
            icon="graduation",
            order=90,
        ),
    ),
    flashes={
        "training_step_done": ("success", "Step completed. Well done!"),
        "training_saved": ("success", "Training programs saved."),
        "training_session_saved": ("success", "Training session recorded."),
    },
    tables=(TrainingProgram, TrainingStep, TrainingCompletion, TrainingSession),
    audit_labels={
        "training.step_completed": "Completed a training step",
        "training.program_created": "Created a training program",
        "training.program_deleted": "Deleted a training program",
        "training.step_added": "Added a training step",
        "training.step_moved": "Moved a training step",
        "training.step_removed": "Removed a training step",
        "training.session_recorded": "Recorded a training session",
    },
    # End-users follow their own training; key-users also give sessions and
    # edit the programs (they train the end-users); admins do everything.
    permissions={
        "admin": EVERY_ACTION,
        "key_user": frozenset({"view", "create", "manage"}),
        "end_user": frozenset({"view"}),
    },
    events=("training.step_completed", "training.session_recorded"),
    listeners=(on_work_done,),
    provisioners=(provision_programs,),
    home_panels=(
        HomePanel(
            key="training",
            load=training_panel,
            template="adoption/_home_training.html",
            permission="training.view",
            order=20,
        ),
        HomePanel(
            key="incomplete-records",
            load=incomplete_panel,
            template="adoption/_home_incomplete.html",
            order=30,
        ),
    ),
)
