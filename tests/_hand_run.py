"""A run small enough to work out by hand: 8 binary examples (gold 1), 2 epochs.

Every p(gold) is a multiple of 1/8, exact in float32, so confidence and variability (half the
gap between the two epochs) are exact and the ties below are real ties:

| id | p(gold) | confidence | variability | correctness | forgetfulness | region (0.2, 0.5) |
|----|--------------|--------|--------|-----|-----|---------------|
| a  | .875, .875   | .875   | 0      | 1   | 0   | easy-to-learn |
| b  | .125, .125   | .125   | 0      | 0   | inf | hard-to-learn |
| c  | .25,  .75    | .5     | .25    | .5  | 0   | ambiguous     |
| d  | .75,  .25    | .5     | .25    | .5  | 1   | ambiguous     |
| e  | .625, .75    | .6875  | .0625  | 1   | 0   | easy-to-learn |
| f  | .25,  .375   | .3125  | .0625  | 0   | inf | hard-to-learn |
| g  | .125, .875   | .5     | .375   | .5  | 0   | ambiguous     |
| h  | .875, .625   | .75    | .125   | 1   | 0   | easy-to-learn |
"""

from __future__ import annotations

import numpy as np

from datamap_widget import TrainingDynamics

IDS = list("abcdefgh")
P_GOLD = np.array(
    [
        [0.875, 0.125, 0.25, 0.75, 0.625, 0.25, 0.125, 0.875],
        [0.875, 0.125, 0.75, 0.25, 0.75, 0.375, 0.875, 0.625],
    ],
    dtype=np.float32,
)
REGION_COUNTS = {"easy-to-learn": 3, "ambiguous": 3, "hard-to-learn": 2}
CORRECTNESS_COUNTS = {"0.0": 2, "0.5": 3, "1.0": 3}


def hand_run(epochs: int = 2) -> TrainingDynamics:
    td = TrainingDynamics(np.ones(len(IDS), dtype=np.int64), ids=IDS, task="binary")
    for p in P_GOLD[:epochs]:
        td.log_epoch(p)
    return td
