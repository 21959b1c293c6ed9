"""Every ```python block of docs/python.md runs, against the emulator where it uses one.
A block that defines ``test_*`` functions has them called with an Emulator for each
``lpchat_emulator`` argument, as pytest would."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from lpchat.testing import Emulator

DOC = Path(__file__).resolve().parents[3] / "docs" / "python.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_the_guide_has_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_each_example_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    code = BLOCKS[index]
    namespace: dict = {"__name__": f"docs_python_md_{index}"}
    exec(compile(code, f"docs/python.md block {index}", "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    for test in tests:
        params = inspect.signature(test).parameters
        if "lpchat_emulator" in params:
            with Emulator() as emu:
                test(lpchat_emulator=emu)
        else:
            test()
    out = capsys.readouterr().out
    assert "Traceback" not in out
