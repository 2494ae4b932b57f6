import azure.functions as func

bp = func.Blueprint()


@bp.route(route="from-blueprint", auth_level=func.AuthLevel.ANONYMOUS)
def from_blueprint(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("registered from a blueprint")
