from . import test_sale_order
from . import test_return_authorization
from . import test_sync
