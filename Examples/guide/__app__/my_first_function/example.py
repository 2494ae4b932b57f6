def some_helper_code():
    return 'example.py'
