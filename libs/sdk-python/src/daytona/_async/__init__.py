"""asyncio drivers of the operations in daytona.common."""
