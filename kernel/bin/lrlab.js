#!/usr/bin/env node
// The `lrlab` command: install | uninstall | kernel. See kernel/src/cli/.
require("../dist/cli/main.js").main(process.argv.slice(2));
