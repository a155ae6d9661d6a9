"""pytest runs the course in fast mode unless told otherwise (GAN_COURSE_FAST=0 for a full run).
Set here, before nbval starts any kernel, so every notebook's kernel inherits it."""
import os

os.environ.setdefault("GAN_COURSE_FAST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
