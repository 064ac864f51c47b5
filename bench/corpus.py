"""Synthetic Markdown replies of a given size: headings, lists, tables, quotes, fenced code, in a fixed order."""

from __future__ import annotations

import random

from causerie.testing.fake_openai import tokens_of

_WORDS = (
    "the a of to and in is it that for on with as this be by are from or an can not which have has more when "
    "function value result server request stream token render buffer cache widget layout terminal python "
    "error message reply history window budget latency memory screen cursor block table list quote code"
).split()

_PYTHON = '''def fetch_page(session, url: str, retries: int = 3) -> dict:
    """Fetch one page, retrying on transient errors."""
    for attempt in range(retries):
        try:
            response = session.get(url, timeout=10)
            response.raise_for_status()
            return response.json()
        except TimeoutError as exc:  # the server is slow: back off
            delay = 2 ** attempt * 0.5
            print(f"attempt {attempt} failed: {exc!r}; sleeping {delay:.1f}s")
    raise RuntimeError("gave up after %d attempts" % retries)
'''

_SHELL = """$ python -m venv .venv && . .venv/bin/activate
$ pip install -e '.[test]'
$ pytest -q tests/ --maxfail=1
"""

_JS = """export async function* lines(stream) {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    const parts = buffer.split("\\n");
    buffer = parts.pop();
    yield* parts;
  }
}
"""


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(_WORDS) for _ in range(words)]
    if rng.random() < 0.3:
        i = rng.randrange(len(chosen))
        chosen[i] = f"`{chosen[i]}()`"
    if rng.random() < 0.3:
        i = rng.randrange(len(chosen))
        chosen[i] = f"**{chosen[i]}**"
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(2, 5)))


def _block(rng: random.Random, index: int) -> str:
    kind = index % 8
    if kind == 0:
        return f"## Section {index // 8 + 1}: {_sentence(rng, 4)[:-1]}"
    if kind in (1, 5):
        return _paragraph(rng)
    if kind == 2:
        return "\n".join(f"- {_sentence(rng, rng.randint(4, 12))}" for _ in range(rng.randint(3, 6)))
    if kind == 3:
        code, lang = rng.choice([(_PYTHON, "python"), (_SHELL, "bash"), (_JS, "javascript")])
        return f"```{lang}\n{code}```"
    if kind == 4:
        count = rng.randint(3, 6)
        cells = [(rng.choice(_WORDS), rng.randint(1, 999), _sentence(rng, 3)) for _ in range(count)]
        rows = "\n".join(f"| {name} | {ms} ms | {note} |" for name, ms, note in cells)
        return f"| name | time | note |\n|------|-----:|------|\n{rows}"
    if kind == 6:
        return "\n".join(f"> {_sentence(rng, rng.randint(6, 14))}" for _ in range(rng.randint(1, 3)))
    return "\n".join(f"{n}. {_sentence(rng, rng.randint(4, 10))}" for n in range(1, rng.randint(3, 6)))


def markdown_reply(tokens: int, seed: int = 5) -> str:
    """A Markdown reply of about `tokens` streamed pieces (as FakeOpenAI splits text), deterministic per seed."""
    rng = random.Random(seed)
    blocks: list[str] = [f"# Answer\n\n{_paragraph(rng)}"]
    count = len(tokens_of(blocks[0]))
    index = 1
    while count < tokens:
        block = _block(rng, index)
        blocks.append(block)
        count += len(tokens_of(block)) + 1
        index += 1
    return "\n\n".join(blocks) + "\n"


# Formulas as models write them: most have a Unicode form, some (a matrix, a subscript b) are shown as source.
_INLINE_MATH = [
    r"$E = mc^2$",
    r"$\alpha^2 + \beta_1$",
    r"$O(n \log n)$",
    r"$\mathbb{E}[X] = \mu$",
    r"$\frac{a+b}{2}$",
    r"\(\sigma^2\)",
    r"$\forall x \in \mathbb{R}, x^2 \geq 0$",
    r"$\sqrt{x+1}$",
    r"$x_b$",
    r"$PV = \frac{FV}{(1 + r)^n}$",
    r"$\hat{\theta}$",
    r"$e^{i\pi} + 1 = 0$",
]
_DISPLAY_MATH = [
    r"$$\mu = \frac{1}{n}\sum_{i=1}^{n} x_i$$",
    "$$\n\\sigma^2 = \\frac{1}{n}\\sum_{i=1}^{n}(x_i - \\mu)^2\n$$",
    r"\[ x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a} \]",
    r"$$NPV = \sum_{t=0}^{T} \frac{C_t}{(1 + r)^t}$$",
    r"\[\int_0^\infty e^{-x}\,dx = 1\]",
    r"$$\begin{pmatrix} a & b \\ c & d \end{pmatrix}$$",
    r"$$P(A \mid B) = \frac{P(B \mid A)P(A)}{P(B)}$$",
]


def _math_paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(2, 4)):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 12))]
        for _ in range(rng.randint(1, 2)):
            words.insert(rng.randrange(len(words)), rng.choice(_INLINE_MATH))
        if rng.random() < 0.2:
            words.append("for $5 and $10 a month")  # dollars that are not math
        text = " ".join(words)
        sentences.append(text[0].upper() + text[1:] + ".")
    return " ".join(sentences)


def math_reply(tokens: int, seed: int = 5) -> str:
    """A reply full of formulas (inline in paragraphs and lists, display blocks), about `tokens` pieces long."""
    rng = random.Random(seed)
    blocks: list[str] = [f"# Derivation\n\n{_math_paragraph(rng)}"]
    count = len(tokens_of(blocks[0]))
    index = 1
    while count < tokens:
        kind = index % 5
        if kind == 0:
            block = f"## Step {index // 5 + 1}"
        elif kind == 2:
            block = rng.choice(_DISPLAY_MATH)
        elif kind == 4:
            block = "\n".join(f"- {_math_paragraph(rng)}" for _ in range(rng.randint(2, 4)))
        else:
            block = _math_paragraph(rng)
        blocks.append(block)
        count += len(tokens_of(block)) + 1
        index += 1
    return "\n\n".join(blocks) + "\n"
