"""motion_loop.model"""
