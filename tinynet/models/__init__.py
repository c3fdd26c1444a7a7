"""Models: layers made of layers."""

from __future__ import annotations

from .compiled_loss import CompiledLoss
from .model import Model
from .sequential import Sequential
from .trainer import Trainer

__all__ = ["Model", "Sequential", "Trainer", "CompiledLoss"]
