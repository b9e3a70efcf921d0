"""Database access: engines, the tenant scope, migrations."""

import os

# Piccolo finds its engine and apps through this module.
os.environ.setdefault("PICCOLO_CONF", "comptoir.platform.db.piccolo_conf")
