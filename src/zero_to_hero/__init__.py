"""Zero to Hero: neural networks from backpropagation to GPT, rebuilt from first
principles."""

__version__ = "0.1.0"
