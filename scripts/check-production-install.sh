#!/usr/bin/env bash
# Proves the built app starts with production dependencies only, as in the Docker runtime stage:
# build, copy package.json, package-lock.json and dist/ into an empty directory, `npm ci --omit=dev --ignore-scripts`,
# then `node dist/main.js --check` must pass with a complete (fake) environment and must fail on a bad one.
# A devDependency imported at run time, or a file missing from dist/, makes this script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/atlas-restore-prod.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "--- build"
if [[ "${SKIP_BUILD:-}" != "1" ]]; then npm run build --silent; fi
[[ -f dist/main.js ]] || { echo "FAIL: dist/main.js is missing after the build" >&2; exit 1; }

echo "--- production install in $work"
cp package.json package-lock.json "$work/"
cp -R dist "$work/dist"
(cd "$work" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

policy="$work/policy.yaml"
cat >"$policy" <<'YAML'
projects:
  - name: ci
    id: 5e2211c17a3e5a48f5497de3
    clusters:
      - name: orders
        type: flex
requesters: [U0123ABCD]
approvers: [U0789IJKL]
YAML

# A complete HTTP-mode environment with dummy credentials. `env -i` keeps the caller's variables out,
# so nothing from the developer's shell or CI can make the check pass by accident.
good_env=(
  PATH="$PATH"
  HOME="$work"
  NODE_ENV=production
  SLACK_BOT_TOKEN=xoxb-ci-0000000000-dummy
  SLACK_SIGNING_SECRET=ci-signing-secret-0123456789abcdef
  ATLAS_PUBLIC_KEY=ciPublicKey
  ATLAS_PRIVATE_KEY=00000000-0000-0000-0000-000000000000
  REDIS_URL=redis://127.0.0.1:6379
  RESTORE_POLICY_FILE="$policy"
  LOG_LEVEL=warn
)

run_check() { (cd "$work" && env -i "$@" node dist/main.js --check); }

echo "--- node dist/main.js --check (valid configuration)"
if ! run_check "${good_env[@]}"; then
  echo "FAIL: node dist/main.js --check failed with a valid configuration and production dependencies only" >&2
  exit 1
fi

expect_failure() {
  local what=$1; shift
  local out status=0
  out=$(run_check "$@" 2>&1) || status=$?
  if [[ $status -eq 0 ]]; then
    echo "FAIL: --check exited 0 with $what" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "ok: --check exited $status with $what"
}

echo "--- node dist/main.js --check (bad configurations must fail)"
expect_failure "no SLACK_BOT_TOKEN" "${good_env[@]/#SLACK_BOT_TOKEN=*/SLACK_BOT_TOKEN=}"
expect_failure "a missing policy file" "${good_env[@]/#RESTORE_POLICY_FILE=*/RESTORE_POLICY_FILE=$work/no-such-policy.yaml}"
printf 'projects: []\n' >"$work/empty-policy.yaml"
expect_failure "an invalid policy (no projects)" "${good_env[@]/#RESTORE_POLICY_FILE=*/RESTORE_POLICY_FILE=$work/empty-policy.yaml}"

echo "production install check passed"
