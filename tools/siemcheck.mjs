// siemcheck.mjs: offline syntax (and, for KQL, semantic) checks of SIEM
// queries, for socc's emitter tests.
//
// Input: JSON lines on stdin, {"id": "...", "dialect": "kql"|"trino"|"lucene", "query": "..."}.
// Output: one JSON line per input line, in input order:
//   {"id": "...", "ok": true|false, "errors": ["..."]}
//
//   kql     Kusto.Language (@kusto/language-service-next) parses and analyzes
//           the query against a database of the tables of tools/*.schema.json
//           (one table each: awscloudtrail.schema.json is AWSCloudTrail,
//           awsguardduty.schema.json AWSGuardDuty, ...), so each query is
//           type-checked against the schema of the table it reads (unknown
//           tables and columns, functions and type errors are errors), then
//           a syntax-tree lint rejects a literal on the left of a comparison
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
import { readFileSync, readdirSync } from 'node:fs';
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
  const tables = loadSchemas().map(schema => {
    const cols = schema.columns.map(c => `['${c.name}']:${c.type}`).join(', ');
    return S.TableSymbol.From(`(${cols})`).WithName(schema.name);
  });
  const globals = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor('db', tables));
  const kindName = {};
  for (const [k, v] of Object.entries(K.Syntax.SyntaxKind)) if (typeof v === 'number') kindName[v] = k;
  kusto = { K, globals, kindName };
  return kusto;
}

// The table schemas: every *.schema.json beside this script is one table,
// {"name": Table, "columns": [{"name": Column, "type": KustoType}, ...]}.
// A file of another shape, a name that is no plain identifier, a column type
// that Kusto does not have, or two files for one table stop the check, so
// that a broken schema never passes queries silently.
const kustoTypes = new Set(['string', 'bool', 'int', 'long', 'real', 'decimal', 'datetime', 'timespan', 'guid', 'dynamic']);
const plainName = /^[A-Za-z_][A-Za-z0-9_]*$/;
function loadSchemas() {
  const seen = new Set();
  const out = [];
  for (const file of readdirSync(here).filter(f => f.endsWith('.schema.json')).sort()) {
    const schema = JSON.parse(readFileSync(new URL(file, here), 'utf8'));
    if (typeof schema.name !== 'string' || !plainName.test(schema.name) || !Array.isArray(schema.columns)) {
      throw new Error(`${file}: want {"name": Table, "columns": [...]}`);
    }
    if (seen.has(schema.name)) throw new Error(`${file}: a second schema for table ${schema.name}`);
    seen.add(schema.name);
    for (const c of schema.columns) {
      if (typeof c.name !== 'string' || !plainName.test(c.name) || !kustoTypes.has(c.type)) {
        throw new Error(`${file}: bad column ${JSON.stringify(c)}`);
      }
    }
    out.push(schema);
  }
  if (out.length === 0) throw new Error('no *.schema.json table schemas beside siemcheck.mjs');
  return out;
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
