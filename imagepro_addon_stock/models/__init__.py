from . import res_company
from . import stock_move
from . import stock_picking
from . import sale_order
from . import imagepro_return_authorization
from . import imagepro_return_authorization_line
from . import imagepro_sync_shipment
