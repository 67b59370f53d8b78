"""Interoperability with the field's tools: MDM's results.npy and checkpoints, GLB meshes, SMPL bodies."""
