"""/api/v1/accounts: the record API made from the accounts' declaration."""

from comptoir.platform.web.record_api import RecordApi, record_controller
from comptoir.tenants.accounts import service
from comptoir.tenants.accounts.schemas import AccountFields, AccountOut, AccountUpdate

ACCOUNTS_API = RecordApi(
    feature="accounts",
    singular="account",
    tag="Accounts",
    fields=AccountFields,
    update=AccountUpdate,
    out=AccountOut,
    spec=service.ACCOUNT_LIST,
    list_records=service.list_accounts,
    get_record=service.get_account,
    create_record=service.create_account,
    update_record=service.update_account,
    delete_record=service.delete_account,
    searched="name, city, phone, SIREN and website",
)

AccountController = record_controller(ACCOUNTS_API, "/api/v1/accounts")
