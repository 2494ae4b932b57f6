NAME = "shared_code"
