"""Derived-vs-not counts and the figures made of them, shared by the evaluation scripts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class BinaryScore:
    """True and false positives and negatives of "derived or not", and precision, recall, F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def count(self, gold: bool, predicted: bool) -> None:
        if gold and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
