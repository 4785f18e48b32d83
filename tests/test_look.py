"""The palette in static/kb.css: both themes keep WCAG 2.1 AA contrast, and the other style
sheets colour only through its variables, so a dark theme can never leave dark-on-dark text.

Contrast is computed (WCAG 2.1 relative luminance), not judged by eye: text needs 4.5:1 on
every background it is used on; borders of form controls and the focus ring need 3:1 (1.4.11).
"""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "static"
KB_CSS = (STATIC / "kb.css").read_text(encoding="utf-8")
# Sheets that colour only through the palette (help.css and editor.css belong to others).
THEMED_SHEETS = ["console", "dashboard", "review", "ack", "inbox", "merge", "account"]

# (foreground, background, minimum ratio): every pairing the sheets use.
TEXT = 4.5
UI = 3.0
PAIRS = [
    *[
        (fg, bg, TEXT)
        for fg in ("fg", "muted", "accent", "warn", "danger", "info", "ok", "violet")
        for bg in ("bg", "surface", "surface-2")
    ],
    ("accent-fg", "accent", TEXT),
    ("danger-fg", "danger", TEXT),
    ("accent-fg", "warn", TEXT),  # the counts in the header (review, inbox)
    *[(fg, "warn-bg", TEXT) for fg in ("fg", "muted", "warn", "accent")],
    *[(fg, "danger-bg", TEXT) for fg in ("fg", "muted", "danger")],
    *[(fg, "info-bg", TEXT) for fg in ("fg", "muted", "info", "accent")],
    *[(fg, "ok-bg", TEXT) for fg in ("fg", "muted", "ok", "accent")],
    *[(fg, "violet-bg", TEXT) for fg in ("fg", "violet")],
    *[(fg, bg, TEXT) for fg in ("fg", "muted") for bg in ("del", "ins", "mark", "mark-strong")],
    *[(fg, bg, TEXT) for fg in ("fg", "muted", "accent") for bg in ("theirs-bg", "mine-bg")],
    *[(fg, "conflict-bg", TEXT) for fg in ("fg", "muted", "warn")],
    ("fg", "theirs-mark", TEXT),
    ("fg", "mine-mark", TEXT),
    *[(ui, bg, UI) for ui in ("control-border", "focus", "accent") for bg in ("bg", "surface")],
]


def palette(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{3,6})\b", block))


def themes() -> dict[str, dict[str, str]]:
    light = palette(re.search(r":root\s*\{(.*?)\}", KB_CSS, re.S).group(1))
    dark_block = re.search(
        r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{(.*?)\}", KB_CSS, re.S
    )
    dark = {**light, **palette(dark_block.group(1))}
    return {"light": light, "dark": dark}


def luminance(colour: str) -> float:
    hex_ = colour.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    channels = [int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_known_values():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_pairing_meets_wcag_aa(theme):
    colours = themes()[theme]
    failures = [
        f"--{fg} on --{bg}: {contrast(colours[fg], colours[bg]):.2f} < {need}"
        for fg, bg, need in PAIRS
        if contrast(colours[fg], colours[bg]) < need
    ]
    assert not failures, failures


def test_the_dark_theme_is_dark_and_defines_every_colour_anew():
    light, dark = themes()["light"], themes()["dark"]
    assert luminance(dark["bg"]) < 0.02 < 0.9 < luminance(light["bg"])
    assert luminance(dark["fg"]) > 0.7
    dark_block = re.search(r"prefers-color-scheme: dark\)\s*\{\s*:root\s*\{(.*?)\}", KB_CSS, re.S)
    assert set(palette(dark_block.group(1))) == set(light) - {"radius"}


def used_variables(css: str) -> set[str]:
    return set(re.findall(r"var\(--([a-z0-9-]+)", css))


def defined_variables() -> set[str]:
    root = re.search(r":root\s*\{(.*?)\}", KB_CSS, re.S).group(1)
    return set(re.findall(r"--([a-z0-9-]+):", root))


@pytest.mark.parametrize("sheet", ["kb", *THEMED_SHEETS, "help", "editor"])
def test_every_variable_a_sheet_uses_exists(sheet):
    path = STATIC / f"{sheet}.css"
    if not path.exists():
        pytest.skip(f"{path.name} does not exist")
    missing = used_variables(path.read_text(encoding="utf-8")) - defined_variables()
    assert not missing, f"{sheet}.css uses undefined variables: {sorted(missing)}"


LITERAL_COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(|(?<![-\w])(?:white|black|red|green|blue|gr[ae]y)(?![-\w])"
)


def without_palette(css: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r":root\s*\{.*?\}", "", css, flags=re.S)
    return css


@pytest.mark.parametrize("sheet", ["kb", *THEMED_SHEETS])
def test_sheets_colour_only_through_the_palette(sheet):
    css = without_palette((STATIC / f"{sheet}.css").read_text(encoding="utf-8"))
    literals = [m.group(0) for m in LITERAL_COLOUR.finditer(css)]
    assert not literals, f"{sheet}.css has literal colours {literals}: use var(--...)"


def test_focus_is_visible_on_every_focusable_element():
    rule = re.search(r"(?m)^:focus-visible\s*\{([^}]*)\}", KB_CSS)
    assert rule and re.search(r"outline:\s*\d+px solid var\(--focus\)", rule.group(1))
    # No sheet takes the outline away from keyboard focus.
    for sheet in ["kb", *THEMED_SHEETS]:
        css = (STATIC / f"{sheet}.css").read_text(encoding="utf-8")
        assert not re.search(r":focus-visible[^{]*\{[^}]*outline:\s*(none|0)", css), sheet
