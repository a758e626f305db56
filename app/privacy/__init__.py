"""A person's data: the download of everything stored about them and the deletion of their
account, gathered from what each package registers as its own share
(app.core.personal_data). The packages' shares are loaded here, so that the download and
the erasure see them all."""

from app.accounts import privacy as _accounts  # noqa: F401
from app.amendments import privacy as _amendments  # noqa: F401
from app.comments import privacy as _comments  # noqa: F401
from app.notifications import privacy as _notifications  # noqa: F401
from app.proposals import privacy as _proposals  # noqa: F401
