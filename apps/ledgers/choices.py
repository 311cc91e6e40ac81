"""The ledger kinds and the limits of an import."""

from django.db import models


class LedgerKind(models.TextChoices):
    HOUSEHOLDS = "households", "户"
    RESIDENTS = "residents", "居民"
    PARTY_MEMBERS = "party_members", "党员"
    VOLUNTEERS = "volunteers", "志愿者"
    COMPOUNDS = "compounds", "小区"
    DUTIES = "duties", "责任"


# ImportJob.errors keeps the first MAX_STORED_ERRORS; error_count counts them all.
MAX_STORED_ERRORS = 1000
# Rows validated and written per batch: bounds memory and the size of one INSERT.
CHUNK_ROWS = 2000
# How often (in rows) progress is reported to the job row, the cache or the terminal.
PROGRESS_EVERY = 5000
# Values separating several names in one cell: “独居老人、高龄”.
LIST_SEPARATORS = "、,，;；/"
