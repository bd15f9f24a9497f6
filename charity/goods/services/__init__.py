"""The goods write side: one module per document (intake, distributions, sales, transfers,
stocktakes, write-offs, corrections), the catalogue, wanted levels, drop-off
pre-registrations, and the stock ledger they all post through (`stock_ledger`).

Services take the actor and the session as arguments and never import Flask; they flush, the
view commits (`charity.web.posting.post_form`). The entry points are importable from here
too (`from charity.goods import services; services.post_sale(...)`).
"""
from charity.goods.services.catalogue import (add_refused_good, create_counter_item,
                                              create_item_type, find_by_barcode,
                                              update_item_type)
from charity.goods.services.distributions import (points_balance, post_distribution,
                                                  reverse_distribution)
from charity.goods.services.intake import post_intake, receive_donation, reverse_intake
from charity.goods.services.preregistrations import preregister
from charity.goods.services.sales import post_sale
from charity.goods.services.stock_ledger import InsufficientStock, verify_stock
from charity.goods.services.stocktakes import (approve_stocktake, save_counts, set_counts,
                                               start_stocktake, stocktake_differences,
                                               submit_stocktake)
from charity.goods.services.targets import set_wanted_level
from charity.goods.services.transfers import receive_transfer, send_transfer
from charity.goods.services.write_offs import post_write_off

__all__ = ["add_refused_good", "approve_stocktake", "create_counter_item", "create_item_type",
           "find_by_barcode", "InsufficientStock", "points_balance", "post_distribution",
           "post_intake", "post_sale", "post_write_off", "preregister", "receive_donation",
           "receive_transfer", "reverse_distribution", "reverse_intake", "save_counts",
           "send_transfer", "set_counts", "set_wanted_level", "start_stocktake",
           "stocktake_differences", "submit_stocktake", "update_item_type", "verify_stock"]
