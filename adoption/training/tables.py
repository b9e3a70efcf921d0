"""Training: programs of steps assigned by role, who completed which step,
and the sessions key-users give."""

from piccolo.columns import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from comptoir.platform.db.base import TenantTable


class TrainingProgram(TenantTable, tablename="training_programs"):
    name = Varchar(length=200)
    description = Text(default="")
    role = Varchar(length=20, default="end_user")  # the role it is assigned to
    position = Integer(default=0)


class TrainingStep(TenantTable, tablename="training_steps"):
    program_id = UUID(default=None, index=True)
    position = Integer(default=0)
    kind = Varchar(length=10, default="lesson")  # lesson, link, task
    title = Varchar(length=200)
    body = Text(default="")  # a lesson's text, or what a link or task is about
    url = Varchar(length=500, default="")  # a link's address
    task = Varchar(length=40, default="")  # a task's check, e.g. "call.logged"
    due_days = Integer(null=True, default=None)  # due this many days after the user joined
    due_on = Date(null=True, default=None)  # or due on this date


class TrainingCompletion(TenantTable, tablename="training_completions"):
    """A user completed a step (unique per user and step)."""

    user_id = UUID(default=None, index=True)
    step_id = UUID(default=None)
    completed_at = Timestamptz(default=TimestamptzNow())
    source = Varchar(length=10, default="self")  # self, auto (from their work)


class TrainingSession(TenantTable, tablename="training_sessions"):
    """A session a key-user (or an admin) gave to colleagues."""

    given_by = UUID(default=None, index=True)
    held_on = Date()
    topic = Varchar(length=200)
    attendee_ids = JSON(default=[])
    duration_minutes = Integer(default=60)
    notes = Text(default="")
