from . import test_sale_order
from . import test_return_authorization
from . import test_ra_invoiced_lines
from . import test_roles
from . import test_sync
from . import test_sync_concurrency
from . import test_returns_desk
from . import test_portal
