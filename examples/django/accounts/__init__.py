"""The accounts app: a model updated by a faust agent."""
