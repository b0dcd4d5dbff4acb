"""The package says what it holds: tan_keras's docstring names every subpackage, and
`tan_keras.models.__all__` lists every model function the README's layout names."""

import re

import tan_keras
from tests.helpers.paths import REPO_ROOT


def test_package_docstring_names_every_subpackage_and_module():
    package = REPO_ROOT / "tan_keras"
    names = sorted(p.name for p in package.iterdir()
                   if (p / "__init__.py").is_file()
                   or (p.suffix == ".py" and not p.name.startswith("_")))
    names = [name.removesuffix(".py") for name in names]
    listed = set(re.findall(r"^  (\w+):", tan_keras.__doc__, flags=re.MULTILINE))
    assert set(names) <= listed, f"not described in tan_keras/__init__.py: {set(names) - listed}"


def test_models_all_lists_what_the_readme_shows():
    import tan_keras.models as models

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^  models/ +(.*?)^  \w+/", readme, flags=re.MULTILINE | re.DOTALL)
    assert block, "README's layout has no models/ line"
    shown = set(re.findall(r"\b(build_\w+|compile_for_training|attention_model|\w+_model)\b",
                           block.group(1)))
    assert shown, block.group(1)
    assert shown <= set(models.__all__), f"README shows {shown - set(models.__all__)}, not in __all__"
    for name in models.__all__:
        assert callable(getattr(models, name)), name
