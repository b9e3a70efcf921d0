"""/api/v1/contacts: the record API made from the contacts' declaration."""

from comptoir.platform.web.record_api import RecordApi, record_controller
from comptoir.tenants.contacts import service
from comptoir.tenants.contacts.schemas import ContactFields, ContactOut, ContactUpdate

CONTACTS_API = RecordApi(
    feature="contacts",
    singular="contact",
    tag="Contacts",
    fields=ContactFields,
    update=ContactUpdate,
    out=ContactOut,
    spec=service.CONTACT_LIST,
    list_records=service.list_contacts,
    get_record=service.get_contact,
    create_record=service.create_contact,
    update_record=service.update_contact,
    delete_record=service.delete_contact,
    searched="names, e-mail, phone and company",
)

ContactController = record_controller(CONTACTS_API, "/api/v1/contacts")
