"""Pydantic models shared on the wire: what workers store and the gateway serves."""
