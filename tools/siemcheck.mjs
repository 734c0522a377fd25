// siemcheck.mjs: offline syntax (and, for KQL, semantic) checks of SIEM
// queries, for socc's emitter tests.
//
// Input: JSON lines on stdin, {"id": "...", "dialect": "kql"|"trino"|"lucene", "query": "..."}.
// Output: one JSON line per input line, in input order:
//   {"id": "...", "ok": true|false, "errors": ["..."]}
//
//   kql     Kusto.Language (@kusto/language-service-next) parses and analyzes
//           the query against the AWSCloudTrail table of awscloudtrail.schema.json
//           (unknown columns, functions and type errors are errors), then a
//           syntax-tree lint rejects a literal on the left of a comparison
//           ("a" == Col), the shape of the pySigma Kusto quoting bug.
//   trino   dt-sql-parser's TrinoSQL grammar parses the query (syntax only),
//           plus a lint that rejects backticks, which the grammar accepts
//           but Trino does not.
//   lucene  the lucene package parses the query string.
//
// A line that is not valid JSON, or names another dialect, gets ok:false.
// The validators load lazily: the Kusto library (about 2 s) only when a kql
// item arrives. Exit status is 0 unless stdin cannot be read.

import { createRequire, register } from 'node:module';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const here = new URL('.', import.meta.url);

// dt-sql-parser ships extension-less ESM imports; this resolve hook retries
// relative specifiers with ".js" and "/index.js".
register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(spec, ctx, next) {
  try { return await next(spec, ctx); } catch (e) {
    if (!(spec.startsWith('.') || spec.startsWith('/'))) throw e;
    for (const suf of ['.js', '/index.js']) { try { return await next(spec + suf, ctx); } catch {} }
    throw e;
  }
}`), import.meta.url);

let kusto; // {K, globals}
function loadKusto() {
  if (kusto) return kusto;
  require('@kusto/language-service-next/bridge.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.js');
  const K = globalThis.Kusto.Language;
  const S = K.Symbols;
  const schema = JSON.parse(readFileSync(new URL('awscloudtrail.schema.json', here), 'utf8'));
  const cols = schema.columns.map(c => `['${c.name}']:${c.type}`).join(', ');
  const table = S.TableSymbol.From(`(${cols})`).WithName(schema.name);
  const globals = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor('db', [table]));
  const kindName = {};
  for (const [k, v] of Object.entries(K.Syntax.SyntaxKind)) if (typeof v === 'number') kindName[v] = k;
  kusto = { K, globals, kindName };
  return kusto;
}

// Binary expressions whose left operand must not be a constant: every
// comparison (==, =~, in, has, contains, startswith, matches regex, between,
// ...), but not the boolean connectives or arithmetic.
const notComparisons = new Set(['AndExpression', 'OrExpression', 'AddExpression', 'SubtractExpression',
  'MultiplyExpression', 'DivideExpression', 'ModuloExpression']);

function checkKQL(query) {
  const { K, globals, kindName } = loadKusto();
  const code = K.KustoCode.ParseAndAnalyze(query, globals);
  const errors = globalThis.Bridge.toArray(code.GetDiagnostics())
    .filter(d => d.Severity === 'Error')
    .map(d => `${d.Code}: ${d.Message} @${d.Start}`);
  K.Syntax.SyntaxElement.WalkNodes(code.Syntax, n => {
    if (n == null || n.Left == null) return;
    const kind = kindName[n.Kind] || '';
    if (!kind.endsWith('Expression') || notComparisons.has(kind)) return;
    const left = kindName[n.Left.Kind] || '';
    if (left.endsWith('LiteralExpression')) {
      errors.push(`lint: ${left} on the left of ${kind} @${n.TextStart}: put the column on the left`);
    }
  });
  return errors;
}

let trino;
async function checkTrino(query) {
  if (!trino) {
    const { TrinoSQL } = await import('dt-sql-parser');
    trino = new TrinoSQL();
  }
  const errors = trino.validate(query).map(e => `${e.startLine}:${e.startColumn} ${e.message}`);
  // Backticks are not Trino syntax, but the grammar accepts them; look for
  // one outside string literals, quoted identifiers and comments.
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === "'" || c === '"') {
      for (i++; i < query.length; i++) {
        if (query[i] === c) {
          if (query[i + 1] === c) { i++; continue; }
          break;
        }
      }
    } else if (c === '-' && query[i + 1] === '-') {
      while (i < query.length && query[i] !== '\n') i++;
    } else if (c === '/' && query[i + 1] === '*') {
      const end = query.indexOf('*/', i + 2);
      i = end < 0 ? query.length : end + 1;
    } else if (c === '`') {
      errors.push(`lint: backtick at offset ${i}: Trino quotes identifiers with "`);
      break;
    }
  }
  return errors;
}

let lucene;
function checkLucene(query) {
  lucene ??= require('lucene');
  try {
    lucene.parse(query);
    return [];
  } catch (e) {
    const loc = e.location ? ` @${e.location.start.offset}` : '';
    return [`${e.name || 'Error'}: ${e.message}${loc}`];
  }
}

async function check(line) {
  let item;
  try {
    item = JSON.parse(line);
  } catch (e) {
    return { id: '', ok: false, errors: [`input is not JSON: ${e.message}`] };
  }
  const id = typeof item.id === 'string' ? item.id : String(item.id ?? '');
  if (typeof item.query !== 'string') return { id, ok: false, errors: ['input has no string "query"'] };
  let errors;
  try {
    switch (item.dialect) {
      case 'kql': errors = checkKQL(item.query); break;
      case 'trino': errors = await checkTrino(item.query); break;
      case 'lucene': errors = checkLucene(item.query); break;
      default: errors = [`unknown dialect ${JSON.stringify(item.dialect)} (want kql, trino or lucene)`];
    }
  } catch (e) {
    errors = [`validator failed: ${e && e.message ? e.message : String(e)}`];
  }
  return { id, ok: errors.length === 0, errors };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  process.stdout.write(JSON.stringify(await check(line)) + '\n');
}
