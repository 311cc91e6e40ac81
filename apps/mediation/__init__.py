"""Mediation of dispute cases (人民调解, 三官一律): mediators, sessions, agreements."""
