"""Blocking drivers of the operations in daytona.common."""
