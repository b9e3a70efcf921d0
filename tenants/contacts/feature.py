"""The contacts feature's manifest."""

from comptoir.platform.features import EVERY_ACTION, WORK_ACTIONS, Feature, NavEntry
from comptoir.tenants.contacts.controllers import ContactController, ContactTimelineController
from comptoir.tenants.contacts.pages import ContactPages
from comptoir.tenants.contacts.tables import Contact

FEATURE = Feature(
    name="contacts",
    label="Contacts",
    api_routes=(ContactController, ContactTimelineController),
    page_routes=(ContactPages,),
    tables=(Contact,),
    nav=(NavEntry(key="contacts", label="Contacts", path="/contacts", icon="contacts", order=20),),
    audit_labels={
        "contact.create": "Created a contact",
        "contact.update": "Changed a contact",
        "contact.delete": "Deleted a contact",
    },
    permissions={
        "admin": EVERY_ACTION,
        "key_user": EVERY_ACTION - {"manage"},
        "end_user": WORK_ACTIONS,
    },
    events=("contact.created", "contact.updated", "contact.deleted"),
    flashes={
        "contact_created": ("success", "Contact created."),
        "contact_saved": ("success", "Changes saved."),
        "contact_deleted": ("success", "Contact deleted."),
    },
)
