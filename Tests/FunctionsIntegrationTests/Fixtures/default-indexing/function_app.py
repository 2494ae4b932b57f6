raise RuntimeError("function_app.py must not be imported: PYTHON_SCRIPT_FILE_NAME names another file")
