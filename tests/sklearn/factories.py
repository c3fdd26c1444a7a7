"""Small model functions for the estimators' tests, at module level so that fitted estimators pickle."""

from __future__ import annotations

import tinynet as tn


def classifier(n_features_in: int, n_classes: int, units: int = 8, compiled: bool = False) -> tn.Model:
    """One hidden layer; a sigmoid unit for two classes, else a softmax. Uncompiled unless ``compiled``."""
    head = tn.layers.Dense(1, "sigmoid") if n_classes == 2 else tn.layers.Dense(n_classes, "softmax")
    model = tn.Sequential([tn.layers.Dense(units, activation="relu", input_shape=(n_features_in,)), head])
    if compiled:
        model.compile(optimizer=tn.optimizers.Adam(0.05), loss=classifier_loss(n_classes), metrics=["accuracy"])
    return model


def classifier_loss(n_classes: int) -> str:
    return "binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy"


def softmax_classifier(n_features_in: int, n_classes: int, loss: str = "sparse_categorical_crossentropy") -> tn.Model:
    """A softmax over every class, two included, compiled with ``loss``."""
    model = tn.Sequential(
        [tn.layers.Dense(8, activation="relu", input_shape=(n_features_in,)), tn.layers.Dense(n_classes, "softmax")]
    )
    model.compile(optimizer=tn.optimizers.Adam(0.05), loss=loss)
    return model


def logits_classifier(n_features_in: int, n_classes: int) -> tn.Model:
    """Raw scores out, the loss told so."""
    model = tn.Sequential([tn.layers.Dense(8, activation="relu"), tn.layers.Dense(n_classes)])
    loss = tn.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=tn.optimizers.Adam(0.05), loss=loss)
    return model


def regressor(n_features_in: int, n_outputs: int, units: int = 16) -> tn.Model:
    """One hidden layer and ``n_outputs`` linear units, uncompiled."""
    return tn.Sequential(
        [tn.layers.Dense(units, activation="relu", input_shape=(n_features_in,)), tn.layers.Dense(n_outputs)]
    )


def two_outputs() -> tn.Model:
    inputs = tn.Input(shape=(2,))
    model = tn.Model(inputs, [tn.layers.Dense(1)(inputs), tn.layers.Dense(1)(inputs)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def not_a_model() -> str:
    return "a model"
