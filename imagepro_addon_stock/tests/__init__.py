from . import test_shipped_on
from . import test_sync_shipment
from . import test_stock_returns
