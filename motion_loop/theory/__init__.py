"""The theory lab: cheap closed-loop models on the loop engine, their closed forms and seed statistics."""
