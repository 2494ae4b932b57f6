import azure.functions as func

app = func.FunctionApp()


def forgot_the_decorator(req: func.HttpRequest) -> str:
    return "never indexed"
