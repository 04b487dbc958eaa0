// Checks the TextMate grammar against every .esc file under examples/: keywords, strings, comments, durations,
// numbers and stdlib names get their scopes, no token is in an invalid scope, every string closes on its line
// and every bracket the grammar opens is closed by the end of the file.
//
// Run by scripts/grammar_test.sh, which installs vscode-textmate and vscode-oniguruma into .cache/grammar and
// passes that folder as the first argument.
"use strict";

const fs = require("fs");
const path = require("path");
const assert = require("assert");

const modules = path.resolve(process.argv[2], "node_modules");
const textmate = require(path.join(modules, "vscode-textmate"));
const oniguruma = require(path.join(modules, "vscode-oniguruma"));

const root = path.resolve(__dirname, "../../..");
const grammarPath = path.join(__dirname, "../syntaxes/escher.tmLanguage.json");

const KEYWORDS = new Set(["playbook", "template", "use", "as", "schedule", "param", "let", "step", "after", "for", "in", "if", "matches", "script"]);
const STDLIB = /^(aws|azure|gcp|compute|storage|database|inventory|cost|security|report)\./;

function examples(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return examples(full);
    return entry.name.endsWith(".esc") ? [full] : [];
  });
}

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(modules, "vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === "source.escher" ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath) : null,
  });
  return registry.loadGrammar("source.escher");
}

const has = (token, prefix) => token.scopes.some((scope) => scope.startsWith(prefix));
const inText = (token) => has(token, "comment") || (has(token, "string") && !has(token, "meta.embedded.interpolation"));

function checkFile(grammar, file, seen) {
  const where = (number) => `${path.relative(root, file)}:${number + 1}`;
  let stack = textmate.INITIAL;
  fs.readFileSync(file, "utf8").split("\n").forEach((line, number) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    const tokens = result.tokens.map((t) => ({ ...t, text: line.slice(t.startIndex, t.endIndex) }));
    let opened = 0;
    let closed = 0;
    for (const token of tokens) {
      const at = `${where(number)} \`${token.text}\` ${token.scopes.join(" ")}`;
      assert(!token.scopes.some((s) => s.includes("invalid")), `invalid scope at ${at}`);
      if (has(token, "punctuation.definition.string.begin")) opened += 1;
      if (has(token, "punctuation.definition.string.end")) closed += 1;
      const word = token.text.trim();
      if (inText(token) || word === "") continue;
      if (KEYWORDS.has(word)) {
        assert(has(token, "keyword"), `keyword without a keyword scope at ${at}`);
        seen.keywords += 1;
      } else if (/^([0-9]+(ms|s|m|h|d|w))+$/.test(word)) {
        assert(has(token, "constant.numeric.duration"), `duration at ${at}`);
        seen.durations += 1;
      } else if (/^-?[0-9]+(\.[0-9]+)?$/.test(word)) {
        assert(has(token, "constant.numeric"), `number at ${at}`);
        seen.numbers += 1;
      } else if (STDLIB.test(word)) {
        assert(has(token, "support.function") || has(token, "support.type"), `stdlib name at ${at}`);
        seen.stdlib += 1;
      }
    }
    assert.strictEqual(closed, opened, `a string that does not close on its line at ${where(number)}`);
    const trimmed = line.trimStart();
    if (trimmed.startsWith("//")) {
      const expected = /^\/\/[/!]/.test(trimmed) ? "comment.line.documentation" : "comment.line.double-slash";
      const code = tokens.filter((t) => t.text.trim() !== "");
      assert(code.every((t) => has(t, expected)), `${where(number)} is not all ${expected}`);
      seen.comments += 1;
    }
    seen.strings += opened;
  });
  // The file's brackets and strings are all closed: the grammar is back where it started.
  assert(stack.equals(textmate.INITIAL) || stack.depth === 1, `${path.relative(root, file)} ends inside a bracket or string`);
}

function checkSamples(grammar) {
  const scopesOf = (line, text) => {
    const { tokens } = grammar.tokenizeLine(line, textmate.INITIAL);
    const start = line.indexOf(text);
    const token = tokens.find((t) => t.startIndex <= start && start < t.endIndex);
    return token.scopes;
  };
  const line = '  step stop_ec2 = aws.ec2.stop(ec2) { retry = 3, timeout = 1h30m, when = "a ${len(x)}" != "" }';
  assert(scopesOf(line, "step").includes("keyword.other.declaration.escher"));
  assert(scopesOf(line, "stop_ec2").includes("entity.name.function.step.escher"));
  assert(scopesOf(line, "aws.ec2.stop").includes("support.function.escher"));
  assert(scopesOf(line, "3").includes("constant.numeric.integer.escher"));
  assert(scopesOf(line, "1h30m").includes("constant.numeric.duration.escher"));
  assert(scopesOf(line, "len").includes("support.function.builtin.escher"));
  assert(scopesOf(line, '"a').includes("string.quoted.double.escher"));
  assert(!scopesOf(line, "x)}").includes("constant.numeric.integer.escher"));
  assert(scopesOf("  param vms: list<aws.ec2.Instance>", "aws.ec2.Instance").includes("support.type.escher"));
  assert(scopesOf("  // step x = 1", "step").includes("comment.line.double-slash.escher"));
  assert(scopesOf("  /// Docs.", "Docs").includes("comment.line.documentation.escher"));
  assert(scopesOf('  let s = "a \\" b"', "b").includes("string.quoted.double.escher"));
}

(async () => {
  const grammar = await loadGrammar();
  checkSamples(grammar);
  const files = examples(path.join(root, "examples"));
  assert(files.length > 0, "no examples found");
  const seen = { keywords: 0, durations: 0, numbers: 0, stdlib: 0, comments: 0, strings: 0 };
  for (const file of files) checkFile(grammar, file, seen);
  for (const [kind, count] of Object.entries(seen)) assert(count > 0, `no ${kind} met in the examples`);
  console.log(`grammar: ${files.length} examples tokenized; checked ${JSON.stringify(seen)}`);
})().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
