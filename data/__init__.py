"""The files the course ships, importable as the package ``gan_utils.course_data`` (pyproject.toml
maps this folder there), so a clone and an installed wheel read them the same way, through
importlib.resources. See README.md here for what each file is and where it came from."""
