def main(req):
    return "indexed from function.json"
