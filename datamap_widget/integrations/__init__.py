"""Feed a data map from the framework you train with, in one line.

Each integration is its own module and imports its framework only when that module is imported,
so ``import datamap_widget.integrations`` stays light (no torch, transformers, lightning or
keras):

- ``datamap_widget.integrations.sklearn``: ``fit_epochs`` (partial_fit estimators; ``cv=5`` for
  cross-fitted, held-out dynamics), ``log_staged`` (gradient boosting stages).
- ``datamap_widget.integrations.torch``: ``IndexedDataset`` (ids for datasets without them),
  ``DataMapLogger`` (per-batch logging into slots on the outputs' device, no host
  synchronisation per step; under DDP each rank logs its shard and rank 0 records the epoch).
- ``datamap_widget.integrations.transformers``: ``DataMapCallback`` / ``add_data_map`` for the
  Hugging Face ``Trainer``.
- ``datamap_widget.integrations.lightning``: ``DataMapCallback`` for PyTorch Lightning.
- ``datamap_widget.integrations.keras``: ``DataMapCallback`` for Keras 3 ``fit``.

A *sink* is a ``TrainingDynamics``, a ``DataMapWidget``, or anything with ``log_epoch``,
``log_batch`` and ``end_epoch``.
"""
