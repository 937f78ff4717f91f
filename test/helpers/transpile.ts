// Compiles a source module and the relative modules it imports to plain JavaScript in a folder, so a separate node
// process (a stand-in server a test can kill) runs the real code without building the whole project.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

/** Transpile `entries` (paths relative to the repository) and their relative imports into `outDir` (same layout). */
export function transpileTree(entries: string[], outDir: string): void {
  const seen = new Set<string>();
  const queue = entries.map((e) => path.resolve(ROOT, e));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) queue.push(path.resolve(path.dirname(file), `${m[1]}.ts`));
    const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const dest = path.join(outDir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, out);
  }
  writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n');
}
