"""Forms that parse web input before a view calls a service."""
