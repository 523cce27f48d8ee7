// Parses each Mermaid file given with the real Mermaid parser; prints "FILE: ok (TYPE)" or "FILE: ERROR message"
// and exits 1 when any fails. Mermaid needs a DOM (DOMPurify), so jsdom provides one.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;
const mermaid = (await import('mermaid')).default;

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, 'utf8'));
    console.log(`${file}: ok (${result.diagramType})`);
  } catch (error) {
    failed = true;
    console.log(`${file}: ERROR ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);
