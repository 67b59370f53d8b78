"""The motion stack plugged into the loop engine: clip sets, the diffusion learner, physics corrector, evaluator."""
