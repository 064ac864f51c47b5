"""The character tables of LaTeX math shown as Unicode: scripts, symbols pylatexenc lacks, accents, delimiters.

Unicode has superscript and subscript forms for only some characters (no subscript b, c, d, f, g, q...): a script
that needs a missing one cannot be written faithfully, so the formula is shown as its source instead.
"""

from __future__ import annotations

SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθιφχ′*†∗",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡ′*†*",
        strict=True,
    )
)
SUPERSCRIPTS["∘"] = "°"  # x^\circ: degrees
SUPERSCRIPTS["⊤"] = "ᵀ"  # A^\top: transpose

SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)

# Macros pylatexenc's table has no plain replacement for (or a different one than mathematicians expect).
EXTRA_SYMBOLS = {
    "neg": "¬",
    "lnot": "¬",
    "land": "∧",
    "lor": "∨",
    "iff": "⇔",
    "implies": "⟹",
    "impliedby": "⟸",
    "gets": "←",
    "mid": "∣",
    "nmid": "∤",
    "parallel": "∥",
    "perp": "⊥",
    "setminus": "∖",
    "varnothing": "∅",
    "emptyset": "∅",
    "lVert": "‖",
    "rVert": "‖",
    "lvert": "|",
    "rvert": "|",
    "Vert": "‖",
    "|": "‖",
    "vert": "|",
    "{": "{",
    "}": "}",
    "%": "%",
    "$": "$",
    "&": "&",
    "#": "#",
    "_": "_",
    "ast": "∗",
    "star": "⋆",
    "prime": "′",
    "colon": ":",
    "dots": "…",
    "dotsc": "…",
    "dotsb": "⋯",
    "vdots": "⋮",
    "ddots": "⋱",
    "Box": "□",
    "square": "□",
    "blacksquare": "■",
    "checkmark": "✓",
    "degree": "°",
    "ell": "ℓ",
    "hbar": "ħ",
    "aleph": "ℵ",
    "Re": "ℜ",
    "Im": "ℑ",
    "wp": "℘",
    "complement": "∁",
    "triangleq": "≜",
    "coloneqq": "≔",
    "eqqcolon": "≕",
    "lesssim": "≲",
    "gtrsim": "≳",
    "ll": "≪",
    "gg": "≫",
    "nexists": "∄",
    "therefore": "∴",
    "Pr": "Pr",
    "bmod": "mod",
    "argmax": "argmax",
    "argmin": "argmin",
    "because": "∵",
}

# Spacing commands: a thin or wide space (the terminal has one width of space).
SPACES = {",": " ", ";": " ", ":": " ", ">": " ", "quad": "  ", "qquad": "    ", "enspace": " ", " ": " ", "!": ""}

# Commands that only change sizes or spacing rules: nothing to show.
IGNORED = {
    "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "big", "Big", "bigg", "Bigg",
    "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr", "middle", "nonumber", "notag",
}  # fmt: skip

# Accents: a combining character put on a single character (on a longer argument they would be misplaced).
ACCENTS = {
    "hat": "\u0302",
    "widehat": "\u0302",
    "bar": "\u0304",
    "overline": "\u0305",
    "vec": "\u20d7",
    "dot": "\u0307",
    "ddot": "\u0308",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "check": "\u030c",
    "acute": "\u0301",
    "grave": "\u0300",
    "breve": "\u0306",
}

# Font commands whose letters pylatexenc maps to Unicode's mathematical alphabets (ℝ, 𝒪, 𝐱...).
FONTS = {"mathbb", "mathcal", "mathbf", "mathfrak", "mathsf", "mathscr", "boldsymbol", "bm", "mathit"}
# Commands whose argument is shown as it is written (upright text, operator names).
PLAIN_ARGUMENT = {"text", "textrm", "textit", "textbf", "mathrm", "operatorname", "mbox", "textsf", "mathtt", "texttt"}

# Relations and arrows get a space on each side when they come from a macro (`a\leq b` reads "a ≤ b").
RELATIONS = set("=≤≥≠≈≡∼≃≅∝<>∈∉∋⊂⊃⊆⊇⊊⊋→←↔⇒⇐⇔⟹⟸⟺↦≪≫≲≳∣∤∥⊥≜≔⊨⊢")

# Binary operators get the same spaces (`a ± b`, `2 × 3`).
BINARY = set("±∓×·÷∪∩⊕⊗∖∧∨∘⋅")

# Operators whose limits a display formula stacks above and below them.
BIG_OPERATORS = set("∑∏∐⋃⋂⨁⨂∫∬∭∮") | {"lim", "max", "min", "sup", "inf", "argmax", "argmin", "limsup", "liminf"}

# Tall delimiters for display formulas more than one line high: (top, middle, bottom).
TALL = {
    "(": ("⎛", "⎜", "⎝"),
    ")": ("⎞", "⎟", "⎠"),
    "[": ("⎡", "⎢", "⎣"),
    "]": ("⎤", "⎥", "⎦"),
    "{": ("⎧", "⎨", "⎩"),
    "}": ("⎫", "⎬", "⎭"),
    "|": ("│", "│", "│"),
    "‖": ("‖", "‖", "‖"),
    "": ("", "", ""),
}
