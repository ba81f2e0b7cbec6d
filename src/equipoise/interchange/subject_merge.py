"""Walk the subject blocks of an ODM file together with other records of the same subjects.

Both streams come in subject-code order (codes share one fixed-width pattern, so the database's
order is Python's). Each block is given with the records of its subject; records of a subject
that has no block come as their own group, without a block, where they fall in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from equipoise.interchange.odm_writer import SubjectBlock


def with_records[R](blocks: Iterable[SubjectBlock], records: Iterable[R], subject: Callable[[R], str]
                 ) -> Iterator[tuple[SubjectBlock | None, str, list[R]]]:
    """(block or None, subject code, that subject's records) in subject-code order."""
    pending = iter(records)
    record = next(pending, None)

    def take(code: str) -> list[R]:
        nonlocal record
        mine = []
        while record is not None and subject(record) == code:
            mine.append(record)
            record = next(pending, None)
        return mine

    for block in blocks:
        while record is not None and subject(record) < block.key:
            code = subject(record)
            yield None, code, take(code)
        yield block, block.key, take(block.key)
    while record is not None:
        code = subject(record)
        yield None, code, take(code)
