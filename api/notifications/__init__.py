"""Notifications: devices, the inbox, reminders and what raises them."""
