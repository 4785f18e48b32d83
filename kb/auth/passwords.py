"""Password rules: one place, used by the web forms, the CLI and invitations alike."""

from flask_babel import gettext as _

from kb.auth.models import MAX_PASSWORD, MIN_PASSWORD
from kb.errors import Invalid

# The most common choices that pass the length rule (Dutch and English), lower case.
COMMON = frozenset(
    {
        "1234567890",
        "12345678901",
        "123456789012",
        "0123456789",
        "qwertyuiop",
        "qwertyuiop1",
        "azertyuiop",
        "password12",
        "password123",
        "password1234",
        "wachtwoord",
        "wachtwoord1",
        "wachtwoord12",
        "wachtwoord123",
        "welkom1234",
        "welkom12345",
        "welkomwelkom",
        "iloveyou12",
        "polderlink",
        "polderlink1",
        "klantenservice",
        "kennisbank",
        "kennisbank1",
    }
)
MIN_DISTINCT = 4


def rule_text() -> str:
    """The rules in one sentence, shown beside every password field."""
    return _(
        "Minstens %(n)d tekens, niet uw e-mailadres en geen veelgebruikt wachtwoord.",
        n=MIN_PASSWORD,
    )


def check(password: str, email: str = "") -> None:
    """Raise Invalid({'password': …}) with a Dutch message when the password breaks a rule."""
    password = password or ""
    lowered = password.lower()
    local = (email or "").split("@", 1)[0].lower()
    if len(password) < MIN_PASSWORD:
        message = _("Een wachtwoord heeft minstens %(n)d tekens.", n=MIN_PASSWORD)
    elif len(password) > MAX_PASSWORD:
        message = _("Een wachtwoord heeft hoogstens %(n)d tekens.", n=MAX_PASSWORD)
    elif len(set(lowered)) < MIN_DISTINCT:
        message = _(
            "Dit wachtwoord is te makkelijk te raden: gebruik minstens %(n)d verschillende tekens.",
            n=MIN_DISTINCT,
        )
    elif len(local) >= 3 and local in lowered:
        message = _("Een wachtwoord mag uw e-mailadres niet bevatten.")
    elif lowered in COMMON:
        message = _(
            "Dit wachtwoord wordt veel gebruikt en is daardoor snel geraden; kies een ander."
        )
    else:
        return
    raise Invalid({"password": message})
