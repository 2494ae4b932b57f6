NAME = "example"
