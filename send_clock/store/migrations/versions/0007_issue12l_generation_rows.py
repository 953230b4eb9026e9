"""The caseload's generation spread over several rows, so that writers do not queue on one.

Every write of stored projections raises the caseload's generation in its transaction and holds
the raised row locked until it commits; with one row, each write of the service waited for the
previous one's commit. ``caseload_generation`` gains rows 2 to 32 at zero: the generation is
now the sum of the rows (unchanged by this migration), and each connection raises one of them
and adds its writes' changes to the report's sums in the stripe of that number (the sums'
``stripe`` column, 0006_issue12s; the sums filled there are all in stripe 1).

Revision ID: 0007_issue12l
Revises: 0006_issue12s
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_issue12l"
down_revision = "0006_issue12s"
branch_labels = None
depends_on = None

#: the rows after the first (models.GENERATION_ROWS, as it was when this was written)
ROWS = range(2, 33)


def upgrade() -> None:
    generation = sa.table("caseload_generation", sa.column("id"), sa.column("generation"))
    op.bulk_insert(generation, [{"id": row, "generation": 0} for row in ROWS])


def downgrade() -> None:
    # Back to one row holding the sum, so that the generation never falls.
    op.execute(
        "UPDATE caseload_generation SET generation = "
        "(SELECT SUM(generation) FROM caseload_generation) WHERE id = 1"
    )
    op.execute("DELETE FROM caseload_generation WHERE id > 1")
