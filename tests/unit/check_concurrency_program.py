"""The concurrency suite's program holds only some of unit_tests' files (for a
short ThreadSanitizer build): its filter must select the same test cases there
as in unit_tests, or a threaded test added to another file would silently
never run under TSan.  Usage: check_concurrency_program.py UNIT_TESTS
CONCURRENCY_TESTS FILTER."""
import subprocess
import sys


def names(program, test_filter):
    out = subprocess.run([program, test_filter, "--list-test-cases", "--no-version"],
                         capture_output=True, text=True, check=True).stdout
    return sorted(line for line in out.splitlines() if line and not line.startswith(("[doctest]", "=")))


def main():
    unit, concurrency, test_filter = sys.argv[1:4]
    want, got = names(unit, test_filter), names(concurrency, test_filter)
    if not want:
        sys.exit(f"the filter {test_filter!r} selects no test case of unit_tests")
    missing = sorted(set(want) - set(got))
    if missing:
        sys.exit("threaded tests outside the concurrency program's files (tests/unit/meson.build):\n  " +
                 "\n  ".join(missing))
    print(f"{len(got)} test cases, the same in both programs")


if __name__ == "__main__":
    main()
