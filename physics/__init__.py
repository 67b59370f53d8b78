"""physics: MuJoCo humanoid, retargeting and tracking-based motion correction."""
