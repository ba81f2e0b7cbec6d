"""Outcome instruments: pure scoring of CLASI, DLQI, pain/itch NRS, physician global and SLEDAI-2K.

Every function here takes plain values (dicts, ints, bools) and returns frozen results, so the
web forms, the API, the CLI, exports and simulations all score a record the same way. Bad input
raises `InstrumentInputError`, which names the key, the value and the allowed values.
"""
