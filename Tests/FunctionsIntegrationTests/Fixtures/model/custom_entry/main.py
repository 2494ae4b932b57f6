def customentry(req):
    return "custom entry point"
