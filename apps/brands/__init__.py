"""Demand surveys, community service lists and service brands with their funds ledger."""
