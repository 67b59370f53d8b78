"""motion_loop.data"""
