// Parses a PowerShell script with tree-sitter's PowerShell grammar (wasm, run by
// web-tree-sitter) and prints every syntax error (an ERROR node or a node the parser had to
// invent), one per line; exit 1 if any.
// Usage: node powershell_parse.mjs NODE_MODULES SCRIPT.ps1
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [modules, script] = process.argv.slice(2);
const { Parser, Language } = await import(join(modules, "web-tree-sitter", "web-tree-sitter.js"));
await Parser.init();
const grammar = join(modules, "tree-sitter-powershell", "tree-sitter-powershell.wasm");
const PowerShell = await Language.load(grammar);

const text = readFileSync(script, "utf8");
const parser = new Parser();
parser.setLanguage(PowerShell);
const errors = [];
const walk = (node) => {
  if (node.type === "ERROR" || node.isMissing) {
    const where = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
    const what = node.isMissing ? `missing ${node.type}` : "syntax error";
    const source = text.slice(node.startIndex, node.startIndex + 60).split("\n")[0];
    errors.push(`${where} ${what}: ${source}`);
  }
  node.children.forEach(walk);
};
walk(parser.parse(text).rootNode);
if (errors.length > 0) {
  console.log(errors.join("\n"));
  process.exit(1);
}
