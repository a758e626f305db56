"""The commands around the app: the Danish demo, backups and the worker."""
