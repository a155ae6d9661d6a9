"""The course outside a clone: its lessons shipped inside the package, student copies of them, and
the ``gan-course`` command that writes them into a folder and opens JupyterLab there."""
