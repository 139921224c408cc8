#!/usr/bin/python3
"""tools/demo.py with small settings (issue 17 item 13): a model so small
that its memory is noise printed "-0.4 MiB ... 129,872,896.0x less".  The
arithmetic is guarded (memory_above / memory_ratio), and a whole run with
small settings prints no negative amount and no ratio of noise.

Run: PYTHONPATH=build/tools/python /usr/bin/python3 tests/python/test_demo.py
"""

import os
import re
import subprocess
import sys
import unittest

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "demo.py")
sys.path.insert(0, os.path.dirname(DEMO))
import demo  # noqa: E402


class Demo(unittest.TestCase):
    def test_guards(self):
        mib = 1 << 20
        self.assertIn("not measurable", demo.memory_above(10 * mib, 10 * mib + 400 * 1024))  # negative
        self.assertIn("not measurable", demo.memory_above(10 * mib, 10 * mib - 1000))         # noise
        self.assertEqual(demo.memory_above(30 * mib, 10 * mib), "20.0 MiB")
        self.assertIn("not measurable", demo.memory_ratio(500 * mib, -400 * 1024, "less"))
        self.assertIn("not measurable", demo.memory_ratio(500 * mib, 3, "less"))
        self.assertEqual(demo.memory_ratio(40 * mib, 10 * mib, "less"), "4.0x less")

    def test_small_settings(self):
        r = subprocess.run([sys.executable, DEMO, "--trees", "2", "--rows", "300", "--processes", "2"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        out = r.stdout
        self.assertIn("PSS above bare Python", out)
        self.assertNotRegex(out, r"-\d[\d,.]* MiB", out)  # no negative memory
        for ratio in re.findall(r"([\d,]+(?:\.\d+)?)x less", out):
            self.assertLess(float(ratio.replace(",", "")), 1000, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
