"""Text from a file (or any user) made inert for Streamlit markdown: the one function every page
passes such text through before st.markdown, st.caption, st.info, a title or a label.

Streamlit renders markdown with GitHub's extensions, LaTeX ($…$), its own directives (:red[…],
:small[…]), emoji and icon shortcodes (:smile:, :material/lock:) and bare-URL links. Escaping
the markdown punctuation stops the first ones; it does not stop bare URLs, e-mail addresses and
shortcodes, which are found in the text AFTER escapes are resolved. A WORD JOINER (U+2060,
invisible, not a space) after every ":" that text follows and before every "." that a letter or
digit follows breaks those: no `https://`, no `www.`, no `a@b.c`, no `:name:` is left in the text."""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
# Every ASCII punctuation character: CommonMark lets each be escaped with a backslash, and an
# escaped one is always shown as itself.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_COLON_BEFORE_TEXT = re.compile(r"\\:(?=\S)")
_DOT_BEFORE_WORD = re.compile(r"\\\.(?=\w)")
_BREAKS = re.compile(
    r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]"
)  # a new line could start a heading, list, table…


def inert(text) -> str:
    """`text` shown exactly as written (on one line) by any Streamlit markdown element."""
    text = _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(" ", str(text)))
    # Only where a link or shortcode could go on: not at the end of a sentence ("selesai."), so
    # ordinary text copied from the page carries no invisible characters there.
    return _DOT_BEFORE_WORD.sub(
        WORD_JOINER + r"\\.", _COLON_BEFORE_TEXT.sub(r"\\:" + WORD_JOINER, text)
    )
