"""LaTeX formulas as models write them, each with the Unicode it is shown as, or shown as its source.

Every expected value was read and judged as math: Unicode has no subscript comma, b or q and no superscript π, so
formulas needing them are shown as source, never half-converted.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causerie.core.conversation.math_layout import display_lines
from causerie.core.conversation.math_text import to_unicode

SOURCE = None  # no faithful Unicode form: the formula is shown as its LaTeX

CORPUS = [
    # physics
    (r"E = mc^2", "E = mc²"),
    (r"F = ma", "F = ma"),
    (r"\vec{F} = m\vec{a}", "F⃗ = ma⃗"),
    (r"\nabla \cdot \mathbf{E} = \frac{\rho}{\varepsilon_0}", "∇ · 𝐄 = ρ⁄ε₀"),
    (r"\nabla \times \mathbf{B} = \mu_0 \mathbf{J}", "∇ × 𝐁 = μ₀ 𝐉"),
    (r"i\hbar\frac{\partial}{\partial t}\Psi = \hat{H}\Psi", "iħ∂⁄∂t Ψ = ĤΨ"),
    (r"E_k = \frac{1}{2}mv^2", "Eₖ = 1⁄2 mv²"),
    (r"\Delta x \, \Delta p \geq \frac{\hbar}{2}", "Δx Δp ≥ ħ⁄2"),
    (r"\lambda = \frac{h}{p}", "λ = h⁄p"),
    (r"PV = nRT", "PV = nRT"),
    (r"\omega = 2\pi f", "ω = 2πf"),
    (r"T = 2\pi\sqrt{\frac{L}{g}}", "T = 2π√(L⁄g)"),
    (r"\Delta G = \Delta H - T\Delta S", "ΔG = ΔH − TΔS"),
    (r"F = G\frac{m_1 m_2}{r^2}", "F = Gm₁m₂⁄r²"),
    (r"e^{i\pi} + 1 = 0", SOURCE),
    (r"\int_0^\infty e^{-x}\,dx = 1", SOURCE),
    (r"\oint \mathbf{B} \cdot d\mathbf{l} = \mu_0 I", "∮𝐁 · d𝐥 = μ₀ I"),
    (r"\gamma = \frac{1}{\sqrt{1 - v^2/c^2}}", "γ = 1⁄√(1−v²/c²)"),
    # statistics
    (r"\mu = \frac{1}{n}\sum_{i=1}^{n} x_i", "μ = 1⁄n ∑ᵢ₌₁ⁿ xᵢ"),
    (r"\sigma^2 = \frac{1}{n}\sum_{i=1}^{n}(x_i - \mu)^2", "σ² = 1⁄n ∑ᵢ₌₁ⁿ(xᵢ − μ)²"),
    (r"P(A \mid B) = \frac{P(B \mid A)P(A)}{P(B)}", "P(A ∣ B) = (P(B ∣ A)P(A))⁄P(B)"),
    (r"X \sim \mathcal{N}(\mu, \sigma^2)", "X ∼ 𝒩(μ, σ²)"),
    (r"\operatorname{Var}(X) = \mathbb{E}[X^2] - \mathbb{E}[X]^2", "Var(X) = 𝔼[X²] − 𝔼[X]²"),
    (r"\hat{\beta} = (X^\top X)^{-1} X^\top y", "β̂ = (XᵀX)⁻¹ Xᵀy"),
    (r"\bar{x} \pm z \frac{s}{\sqrt{n}}", "x̄ ± z s⁄√n"),
    (r"p < 0.05", "p < 0.05"),
    (r"H_0 : \mu_1 = \mu_2", "H₀ : μ₁ = μ₂"),
    (r"\rho_{X,Y} = \frac{\operatorname{Cov}(X,Y)}{\sigma_X \sigma_Y}", SOURCE),
    (r"f(x) = \frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{(x-\mu)^2}{2\sigma^2}}", SOURCE),
    (r"\binom{n}{k} p^k (1-p)^{n-k}", SOURCE),
    (r"\Pr[X \geq a] \leq \frac{\mathbb{E}[X]}{a}", "Pr[X ≥ a] ≤ 𝔼[X]⁄a"),
    (r"R^2 = 1 - \frac{SS_{res}}{SS_{tot}}", "R² = 1 − SSᵣₑₛ⁄SSₜₒₜ"),
    # algorithms and logic
    (r"O(n \log n)", "O(n log n)"),
    (r"T(n) = 2T(n/2) + O(n)", "T(n) = 2T(n/2) + O(n)"),
    (r"\Theta(n^2)", "Θ(n²)"),
    (r"\Omega(n)", "Ω(n)"),
    (r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}", "∑ᵢ₌₁ⁿ i = n(n+1)⁄2"),
    (r"a \equiv b \pmod{n}", "a ≡ b (mod n)"),
    (r"\lceil \log_2 n \rceil", "⌈log₂ n⌉"),
    (r"\lfloor n/2 \rfloor", "⌊n/2⌋"),
    (r"2^{10} = 1024", "2¹⁰ = 1024"),
    (r"x_{ij}", "xᵢⱼ"),
    (r"\forall x \in \mathbb{R}, x^2 \geq 0", "∀x ∈ ℝ, x² ≥ 0"),
    (r"A \cup B = \{x : x \in A \lor x \in B\}", "A ∪ B = {x : x ∈ A ∨ x ∈ B}"),
    (r"\neg (p \land q) \iff \neg p \lor \neg q", "¬ (p ∧ q) ⇔ ¬p ∨ ¬q"),
    (r"f: \mathbb{N} \to \mathbb{N}", "f: ℕ → ℕ"),
    (r"\lim_{n\to\infty} \frac{1}{n} = 0", SOURCE),
    (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", SOURCE),
    (r"x_b", SOURCE),
    (r"\mathcal{O}(1)", "𝒪(1)"),
    # finance
    (r"FV = PV(1 + r)^n", "FV = PV(1 + r)ⁿ"),
    (r"PV = \frac{FV}{(1 + r)^n}", "PV = FV⁄(1+r)ⁿ"),
    (r"r_{real} \approx r_{nominal} - \pi", "rᵣₑₐₗ ≈ rₙₒₘᵢₙₐₗ − π"),
    (r"NPV = \sum_{t=0}^{T} \frac{C_t}{(1 + r)^t}", "NPV = ∑ₜ₌₀ᵀ Cₜ⁄(1+r)ᵗ"),
    (r"\text{ROI} = \frac{\text{gain} - \text{cost}}{\text{cost}}", "ROI = (gain − cost)⁄cost"),
    (r"A = P\left(1 + \frac{r}{n}\right)^{nt}", "A = P(1 + r⁄n)ⁿᵗ"),
    (r"\sigma_p = \sqrt{w^2 \sigma_1^2 + (1-w)^2 \sigma_2^2}", "σₚ = √(w² σ₁² + (1−w)² σ₂²)"),
    # the forms the issue names
    (r"\alpha^2 + \beta_1", "α² + β₁"),
    (r"\sqrt{x+1}", "√(x+1)"),
    (r"\frac{a}{b}", "a⁄b"),
    (r"\unknownmacro{x}", SOURCE),
    (r"\cos^2\theta + \sin^2\theta = 1", "cos²θ + sin²θ = 1"),
    (r"\sqrt[3]{27} = 3", "∛27 = 3"),
    (r"\langle \psi | \phi \rangle", "⟨ψ | ϕ⟩"),
]


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 50
    assert sum(expected is SOURCE for _, expected in CORPUS) >= 5


@pytest.mark.parametrize(("latex", "expected"), CORPUS)
def test_formula(latex: str, expected: str | None) -> None:
    assert to_unicode(latex) == expected


@pytest.mark.parametrize(
    "latex",
    [
        r"x_b",  # no subscript b
        r"a_{q}",  # no subscript q
        r"e^{i\pi}",  # no superscript π
        r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}",
        r"\begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}",
        r"\unknown",
        r"\frac{a}",  # an argument missing
        r"{a",  # unbalanced
        r"x^2^3",  # double superscript
        r"\hat{xy}",  # an accent over two letters
    ],
)
def test_no_faithful_form_means_source(latex: str) -> None:
    assert to_unicode(latex) is None
    assert display_lines(latex) is None


def test_display_fraction_is_stacked_over_a_rule() -> None:
    assert display_lines(r"\frac{a+b}{2}") == [" a+b", "─────", "  2"]


def test_display_keeps_the_baseline_of_what_surrounds_a_fraction() -> None:
    assert display_lines(r"\lambda = \frac{h}{p}") == ["      h", "λ =  ───", "      p"]


def test_display_sum_has_its_limits_above_and_below() -> None:
    assert display_lines(r"\sum_{i=1}^{n} x_i") == [" n", " ∑   xᵢ", "i=1"]


def test_display_integral_limits_stack_where_inline_scripts_cannot() -> None:
    # ∞ has no superscript form: inline it is source, in a display block the limits stack.
    latex = r"\int_0^\infty e^{-x}\,dx = 1"
    assert to_unicode(latex) is None
    assert display_lines(latex) == ["∞", "∫ e⁻ˣ dx = 1", "0"]


def test_display_root_of_a_fraction_grows_its_brackets() -> None:
    assert display_lines(r"\sqrt{\frac{L}{g}}") == [" ⎛  L  ⎞", "√⎜ ─── ⎟", " ⎝  g  ⎠"]


def test_display_without_anything_tall_is_one_line() -> None:
    assert display_lines(r"E = mc^2") == ["E = mc²"]


def test_fraction_parts_are_bracketed_only_when_needed() -> None:
    assert to_unicode(r"\frac{a+b}{c-d}") == "(a+b)⁄(c−d)"
    assert to_unicode(r"\frac{f(x)}{2a}") == "f(x)⁄2a"


def test_long_formula_is_source() -> None:
    assert to_unicode("x+" * 2000 + "x") is None


PIECES = [*"\\{}^_$[]()&%#~ ab1", r"\frac", r"\sqrt", r"\left", r"\right", r"\mathbb", r"\text", r"\hat", r"\sum"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_input_gives_text_or_none_never_an_error(latex: str) -> None:
    assert isinstance(to_unicode(latex), str | None)
    lines = display_lines(latex)
    assert lines is None or all(isinstance(line, str) for line in lines)
