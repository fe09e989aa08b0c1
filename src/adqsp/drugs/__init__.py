"""Drug records: one data file per drug (route, population PK, skin distribution, mechanism motif, label regimens).

:mod:`adqsp.drugs.record` is the record format (validated like scenario files); :mod:`adqsp.drugs.registry` finds
the records shipped in ``data/drugs/`` and reads users' own.
"""
