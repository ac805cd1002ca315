"""The README's examples are executed, so its numbers come from the code, not from memory."""
import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_opens_with_the_two_commands():
    lines = README.read_text().splitlines()
    assert lines[0] == "```sh"
    assert lines[1].startswith("make run") and lines[2].startswith("make test") and lines[3] == "```"


def test_readme_doctests():
    text = README.read_text()
    blocks = re.findall(r"```python\n(>>>.*?)```", text, flags=re.S)
    assert len(blocks) >= 2
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README[{i}]", str(README), 0))
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted >= 7
