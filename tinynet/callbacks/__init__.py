"""Callbacks: objects ``fit``, ``evaluate`` and ``predict`` call at fixed points (Keras's hooks and names).

- :class:`Callback`: the base class; :class:`CallbackList` calls a list of them;
- :class:`History`: every epoch's logs (``fit`` returns it);
- :class:`ProgressBar` (alias ``ProgbarLogger``): what ``verbose=1`` / ``2`` print;
- :class:`EarlyStopping`: stop when a quantity stops improving, keep the best weights;
- :class:`LearningRateScheduler`, :class:`ReduceLROnPlateau`: set the learning rate;
- :class:`CSVLogger`: one CSV row per epoch;
- :class:`TerminateOnNaN`: stop at a NaN or infinite loss;
- :class:`LambdaCallback`: a callback made of plain functions;
- :class:`BackupAndRestore`: back up the training state; a rerun after a crash resumes from it exactly;
- :class:`SwapEMAWeights`: evaluate with the optimizer's moving averages of the weights (``use_ema=True``).
"""

from __future__ import annotations

from .backup_and_restore import BackupAndRestore
from .base import Callback
from .callback_list import CallbackList
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .model_checkpoint import ModelCheckpoint
from .progress import ProgbarLogger, ProgressBar
from .swap_ema_weights import SwapEMAWeights
from .terminate_on_nan import TerminateOnNaN

__all__ = [
    "Callback", "CallbackList", "History", "ProgressBar", "ProgbarLogger", "EarlyStopping",
    "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger", "TerminateOnNaN", "ModelCheckpoint",
    "LambdaCallback", "BackupAndRestore", "SwapEMAWeights",
]  # fmt: skip
