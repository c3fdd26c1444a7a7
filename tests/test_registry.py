"""The registry: a user's class may share its name with one of tinynet's, as ``package>Name``.

tinynet's own classes keep their bare names (files saved before stay loadable);
a user's registered class is ``Custom>Name`` (or ``package>Name``) in configs
and files, resolves back to itself, and never shadows tinynet's class.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinynet as tn
from tinynet.errors import InvalidTypeError, InvalidValueError, UnknownIdentifierError
from tinynet.registry import NAME, get_registered_class, registered_name, registered_names, serialize
from tinynet.saving import ModelFileError


@tn.register
class Linear(tn.Layer):
    """y = x @ kernel: a user's layer with the name of tinynet's Linear activation."""

    def __init__(self, units: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape: tuple[int, ...]) -> None:
        self.kernel = self.add_parameter("kernel", (input_shape[-1], self.units), initializer="glorot_uniform")

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (*input_shape[:-1], self.units)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.remember(x=x)
        return x @ self.kernel.value

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (x,) = self.recall("x")
        self.kernel.grad = x.T @ grad
        return grad @ self.kernel.value.T

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}


UserLinear = Linear


@tn.register(package="registry_tests", name="Scaled")
class RegistryTestScaled(tn.activations.Linear):
    """A subclass of tinynet's Linear under a package and a name of its own."""


def model_with_linear() -> tn.Sequential:
    tn.utils.set_random_seed(0)
    model = tn.Sequential([Linear(3, input_shape=(2,)), tn.layers.Dense(1, activation="linear")])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_a_user_class_named_like_tinynets_registers_under_its_package() -> None:
    assert registered_name(Linear) == "Custom>Linear"
    assert registered_name(tn.activations.Linear) == "Linear"
    assert get_registered_class("Custom>Linear") is Linear
    assert get_registered_class("Linear") is tn.activations.Linear
    assert tn.activations.get("linear").__class__ is tn.activations.Linear
    assert {"Custom>Linear", "Linear"} <= set(registered_names())


def test_package_and_name_make_the_registered_name() -> None:
    assert registered_name(RegistryTestScaled) == "registry_tests>Scaled"
    assert get_registered_class("registry_tests>Scaled") is RegistryTestScaled
    assert serialize(RegistryTestScaled())["class_name"] == "registry_tests>Scaled"


def test_serialize_stores_the_registered_name() -> None:
    entry = serialize(Linear(4, name="lin"))
    assert entry == {"class_name": "Custom>Linear", "config": {**Linear(4, name="lin").get_config()}}
    assert serialize(tn.activations.Linear())["class_name"] == "Linear"


def test_get_config_and_from_config_round_trip_both_linears() -> None:
    model = tn.Sequential([Linear(3, input_shape=(2,)), tn.activations.Linear()])
    config = json.loads(json.dumps(model.get_config()))
    assert [entry["class_name"] for entry in config["layers"]] == ["Custom>Linear", "Linear"]
    clone = tn.Sequential.from_config(config)
    assert [type(layer) for layer in clone.layers] == [Linear, tn.activations.Linear]
    assert clone.get_config() == model.get_config()


def test_a_model_with_both_linears_round_trips_through_a_file(tmp_path: Path) -> None:
    model = model_with_linear()
    model.add(tn.activations.Linear())
    x = np.random.default_rng(1).normal(size=(16, 2))
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    model.save(tmp_path / "model.npz")
    clone = tn.load_model(tmp_path / "model.npz")
    assert [type(layer) for layer in clone.layers] == [Linear, tn.layers.Dense, tn.activations.Linear]
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))


def test_custom_objects_take_the_registered_or_the_bare_name(tmp_path: Path) -> None:
    Linear = type("Linear", (UserLinear,), {})  # another class of the same name, as a file's reader may pass it

    for key in ("Custom>Linear", "Linear"):
        assert get_registered_class("Custom>Linear", {key: Linear}) is Linear
    model = model_with_linear()
    model.save(tmp_path / "model.npz")
    clone = tn.load_model(tmp_path / "model.npz", custom_objects={"Linear": Linear})
    assert type(clone.layers[0]) is Linear


def test_a_bare_name_finds_the_one_user_class_registered_by_it() -> None:
    """Files saved before a class was registered store its bare name; they still load."""

    class RegistryTestLegacy(tn.Layer):
        pass

    with pytest.raises(UnknownIdentifierError, match="RegistryTestLegacy"):
        get_registered_class("RegistryTestLegacy")
    tn.register(RegistryTestLegacy)
    assert get_registered_class("RegistryTestLegacy") is RegistryTestLegacy


def test_a_bare_name_registered_in_two_packages_is_ambiguous() -> None:
    class RegistryTestTwin(tn.Layer):
        pass

    class RegistryTestTwinToo(tn.Layer):
        pass

    tn.register(RegistryTestTwin, package="first")
    tn.register(RegistryTestTwinToo, package="second", name="RegistryTestTwin")
    assert get_registered_class("second>RegistryTestTwin") is RegistryTestTwinToo
    with pytest.raises(UnknownIdentifierError, match="ambiguous.*first>RegistryTestTwin, second>RegistryTestTwin"):
        get_registered_class("RegistryTestTwin")


@pytest.mark.parametrize(
    "kwargs, fragment",
    [({"package": "my.lib"}, "package"), ({"package": ""}, "package"), ({"name": "a>b"}, "name"),
     ({"name": "os.system"}, "name")],
)  # fmt: skip
def test_register_refuses_names_that_are_not_identifiers(kwargs: dict[str, str], fragment: str) -> None:
    class RegistryTestRefused(tn.Layer):
        pass

    with pytest.raises(InvalidValueError, match=f"register: the {fragment} of .*RegistryTestRefused"):
        tn.register(RegistryTestRefused, **kwargs)
    with pytest.raises(InvalidTypeError, match="expected a class"):
        tn.register(Linear(2))  # type: ignore[type-var]


@pytest.mark.parametrize(
    "name, loads",
    [("Dense", True), ("Custom>Linear", True), ("os.system", False), ("os>path>join", False),
     ("Custom>os.system", False), ("Custom>", False), (">Linear", False), ("Custom >Linear", False)],
)  # fmt: skip
def test_a_registered_name_is_an_identifier_or_two(name: str, loads: bool) -> None:
    assert bool(NAME.match(name)) is loads


@pytest.mark.parametrize("class_name", ["Custom>os.system", "os>path>join", "Custom>__import__('os')"])
def test_a_file_naming_a_dotted_or_nested_package_is_refused(tmp_path: Path, class_name: str) -> None:
    model_with_linear().save(tmp_path / "model.npz")
    with zipfile.ZipFile(tmp_path / "model.npz") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["model"]["config"]["layers"][0]["class_name"] = class_name
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "forged.npz", "w") as forged:
        for name, data in members.items():
            forged.writestr(name, data)
    with pytest.raises(ModelFileError, match="never imports modules"):
        tn.load_model(tmp_path / "forged.npz")
