"""motion_loop.viz"""
