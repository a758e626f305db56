"""The secretariat console: queues, members, topics and the audit log."""
