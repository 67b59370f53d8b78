"""motion_loop.loop"""
