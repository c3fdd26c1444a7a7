"""Model files: save, load, resume and checkpoint — exact, atomic, and never a door for code.

A tinynet model file is one zip archive (``.npz``; ``numpy.load`` can open it)
of uncompressed members:

- ``config.json`` — UTF-8 JSON: ``format_version``, every layer's class name and
  ``get_config()``, the build shapes, the compile settings, and a list of the
  array members with their shapes and dtypes (see :mod:`tinynet.saving.document`);
- ``weights/<layer index>_<parameter name>.npy`` — one ``.npy`` per parameter,
  named by its position, in the parameter's own dtype;
- ``optimizer/iterations.npy`` and ``optimizer/<parameter index>_<slot>.npy`` —
  the optimizer's step count and slots (a compiled model only).

The random generators that training uses — ``fit``'s shuffling generator and
any generator a layer holds (Dropout's) — are saved too, so that training
resumed from a file continues bitwise as if it had never stopped.

Writing is atomic (a temporary file in the same folder, then ``os.replace``)
and deterministic (fixed member timestamps and order, canonical JSON): the
same model always gives the same bytes. Reading trusts nothing: see
:mod:`tinynet.saving.archive` for what is refused, always with a
:class:`ModelFileError` (a ``ValueError``) that says what is wrong. Classes
are found only in tinynet's registry (``@tn.register``) or the
``custom_objects`` passed; nothing named in a file is imported or run.

Functions: :func:`save_model`, :func:`load_model`, :func:`save_weights`,
:func:`load_weights` (``model.save``, ``tn.load_model``, ``model.save_weights``
and ``model.load_weights`` call them).

A model is seen through its public methods only — ``get_config`` and the
registry, ``parameters()``, ``walk()``, ``input_shape``,
``Layer.own_parameters()`` and ``Layer.random_generators()``, and for a
compiled model ``get_compile_config`` / ``compile_from_config`` and
``get_training_state`` / ``set_training_state`` — so any layer or model that
keeps to them saves and loads; this package imports nothing from
:mod:`tinynet.models`.
"""

from __future__ import annotations

from .document import FORMAT_VERSION
from .errors import ModelFileError
from .model_io import load_model, load_weights, save_model, save_weights

__all__ = ["FORMAT_VERSION", "ModelFileError", "load_model", "load_weights", "save_model", "save_weights"]
