"""Voting power analysis of an association's weight rules.

``compute`` is pure (no Django): the alternative rules, size classes, the rounding that
keeps a game interactive and one cached-able computation per game. ``power`` is the
service: it reads the weighted register, runs ``compute`` per rule (through Django's
cache) and aggregates per member, size class, network and province. ``views`` and the
``weights analyse`` management command present it.
"""
