"""motion_loop.eval"""
