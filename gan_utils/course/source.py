"""Where the course is published: the one place whoever publishes it (or a fork) edits. Then
``python tools/course_source.py`` writes it into every lesson's install cell and the documents'
install commands and Colab / Kaggle / Binder links, and ``make test`` checks that they all agree."""

REPOSITORY = "https://github.com/gan-course/gans-from-pixels"   # the course's git repository
BRANCH = "main"
PACKAGE = f"gan-utils @ git+{REPOSITORY}@{BRANCH}"   # what the install cell installs: this, or a published wheel's URL
NEEDS = (0, 2)   # the oldest gan-utils (major, minor) these lessons run on; the install cell upgrades an older one
