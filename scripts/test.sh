#!/usr/bin/env bash
# Runs every test: lint (incl. the import-direction rules), type check, then all Vitest suites (unit, HTTP
# in-process, store contract on SQLite and PostgreSQL, crash, browser end-to-end). Starts the throwaway
# PostgreSQL / Redis servers the suites need when this machine can (scripts/test-servers.sh), and exports
# their URLs. With BECKON_REQUIRE_SERVERS=1 (CI) a suite that needs a missing server fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .ci-work

if [ -z "${BECKON_TEST_PG_URL:-}" ] && [ -f scripts/test-servers.sh ]; then
  if bash scripts/test-servers.sh start; then
    eval "$(bash scripts/test-servers.sh env)"
  else
    echo "test.sh: could not start the test servers; suites that need them will be skipped (or fail in CI)" >&2
  fi
fi

# The browser suites serve the built tracker and agent desktop.
npm run --silent build -w @beckon/tracker
npm run --silent build -w @beckon/console >/dev/null

# `checks` counts lint and type-check failures; Vitest's own failures are read from its report, not counted twice.
checks=0
npm run --silent lint || checks=$((checks + 1))
npm run --silent typecheck || checks=$((checks + 1))
npx vitest run --reporter=default --reporter=json --outputFile.json=.ci-work/vitest.json || true
node scripts/test-summary.mjs .ci-work/vitest.json $checks
