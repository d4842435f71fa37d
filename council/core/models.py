"""Settings the secretary changes in the app (not deployment configuration)."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from council.extensions import db


class CouncilSetting(db.Model):
    __tablename__ = "council_setting"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    value: Mapped[str] = mapped_column(sa.String(500))

    @property
    def name(self) -> str:
        return self.key
