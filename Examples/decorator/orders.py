"""A blueprint: functions defined in another module and registered in function_app.py."""
import json
import logging

import azure.functions as func

orders = func.Blueprint()


@orders.route(route="orders/{id:int}", methods=["GET"])
def get_order(req: func.HttpRequest) -> func.HttpResponse:
    order_id = int(req.route_params["id"])
    logging.getLogger("orders").info("order %d requested", order_id)
    return func.HttpResponse(json.dumps({"id": order_id, "status": "shipped"}),
                             mimetype="application/json")
