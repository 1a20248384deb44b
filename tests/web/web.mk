# Browser tests of the dashboard (web/): headless Debian chromium driven by
# playwright-core from npm (pinned in tests/web/package-lock.json; the
# browser itself is never downloaded). Included from the Makefile.
#
#   make web-test     build, install tests/web/node_modules if needed, run
#                     tests/web/*.test.mjs; screenshots in tests/web/out/
#
# WEB_TEST names the target so the Makefile can add it to `check`.

WEB_TEST     = web-test
WEB_NODE_MOD = tests/web/node_modules/.package-lock.json

.PHONY: web-test

$(WEB_NODE_MOD): tests/web/package.json tests/web/package-lock.json
	cd tests/web && npm ci --no-audit --no-fund
	@touch $@

web-test: all fixtures $(WEB_NODE_MOD)
	ABIGUARD=$(abspath $(ABIGUARD)) node --test tests/web/
