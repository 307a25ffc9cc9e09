"""micrograd: a scalar autograd engine and a tiny neural-network library on top of
it."""

from zero_to_hero.micrograd.engine import Value, topological_order
from zero_to_hero.micrograd.nn import MLP, SGD, Layer, Module, Neuron
from zero_to_hero.micrograd.viz import draw_dot

__all__ = [
    "Value",
    "topological_order",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "SGD",
    "draw_dot",
]
