"""motion_loop.theory"""
