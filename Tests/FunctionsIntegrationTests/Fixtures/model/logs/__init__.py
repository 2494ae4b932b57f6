import logging

import azure.functions as func

named = logging.getLogger("my.named.logger")


def main(req: func.HttpRequest, context: func.Context) -> str:
    marker = req.params.get("marker")
    logging.critical(f"root critical {marker}")
    logging.error(f"root error {marker}")
    logging.warning(f"root warning {marker}")
    logging.info(f"root info {marker}")
    logging.debug(f"root debug {marker}")
    named.critical(f"named critical {marker}")
    named.error(f"named error {marker}")
    named.warning(f"named warning {marker}")
    named.info(f"named info {marker}")
    named.debug(f"named debug {marker}")
    print(f"printed {marker}")
    return context.invocation_id
