"""Builds libgeovote.so through the repository's Makefile (`make library`)
and ships it inside the package, so that `pip install ./python` gives a
package that needs nothing else from the checkout."""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)


class BuildWithLibrary(build_py):
    def run(self):
        library = os.environ.get("GEOVOTE_LIBRARY")
        if not library:
            subprocess.run(["make", "-C", REPOSITORY, "library"], check=True)
            library = os.path.join(REPOSITORY, ".build", "release", "libgeovote.so")
        super().run()
        target = os.path.join(self.build_lib, "geovote", "lib")
        os.makedirs(target, exist_ok=True)
        shutil.copy2(os.path.realpath(library), os.path.join(target, "libgeovote.so"))


setup(cmdclass={"build_py": BuildWithLibrary})
