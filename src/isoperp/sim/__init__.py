"""The stress lab: drives the engine in-process on a simulated clock."""
