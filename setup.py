"""Installs tan-keras: the TAN model (ICME 2018), its data preparation and experiments."""

import re
from pathlib import Path

from setuptools import find_packages, setup

# One version, tan_keras.__version__, read without importing the package (which needs Keras).
VERSION = re.search(r'^__version__ = "([^"]+)"$',
                    (Path(__file__).parent / "tan_keras" / "__init__.py").read_text(),
                    re.MULTILINE)[1]

setup(
    name="tan-keras",
    version=VERSION,
    description=(
        "Temporal Attentive Network (ICME 2018) for two-stream action recognition, "
        "in Keras 3 with TensorFlow or JAX."
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    # 3.10: the code's `X | None` annotations. Tested on 3.11 (README.md, the install section).
    python_requires=">=3.10",
    classifiers=[
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: Apache Software License",
        "Operating System :: POSIX :: Linux",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    packages=find_packages(include=["tan_keras", "tan_keras.*", "data_prep", "data_prep.*",
                                    "experiments", "experiments.*"]),
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.3",
        "numpy",
        "opencv-contrib-python>=4.8",
        "absl-py",
        "tensorflow-datasets",
        "apache-beam",
        "google-crc32c",  # TFRecord framing in data_prep without loading TensorFlow
        "importlib_resources",  # tensorflow-datasets needs it for builders defined in a package
        "tensorboard",
        "tqdm",
        "matplotlib",
    ],
    extras_require={
        # imageio-ffmpeg: an ffmpeg with libx264, so the tests can write an H.264 .mp4.
        # pytest-xdist: the suite runs on 2 worker processes (pytest.ini's -n 2).
        # tf2onnx, onnx, onnxruntime: the ONNX export's test (the onnx extra below).
        "test": ["pytest", "pytest-xdist", "jax[cpu]", "imageio-ffmpeg", "apache-beam[dask]",
                 "tf2onnx>=1.17", "onnx", "onnxruntime"],
        # The JAX TV-L1 engine (--flow_engine=jax). For an NVIDIA GPU: pip install "jax[cuda12]".
        "jax": ["jax"],
        # --engine=beam --beam_runner=dask: Beam's DaskRunner on a dask.distributed cluster.
        "beam-dask": ["apache-beam[dask]"],
        # export --format=onnx (Keras' exporter, through tf2onnx) and .onnx files in tan-predict.
        # tf2onnx>=1.17: 1.16 pins protobuf 3.20, which TensorFlow 2.21 (protobuf>=6.31) refuses.
        "onnx": ["tf2onnx>=1.17", "onnx", "onnxruntime"],
    },
    entry_points={
        "console_scripts": [
            "tan-quickstart=experiments.quickstart.__main__:run_main",
            "tan-build-records=data_prep.build_records:run_main",
            "tan-check=data_prep.check:run_main",
            "tan-predict=experiments.predict:run_main",
        ],
    },
)
