"""Running the system in production: the server, health, request logs, scheduled work, backups."""
