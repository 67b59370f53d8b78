"""motion_loop.text"""
