// bench/pdf: what the PDF export costs. (1) In process: rendering a long offline screenplay as a PDF against
// rendering the same run as Fountain text (the baseline), per page. (2) From a fresh process, as a user runs
// it: `storyloom export --format pdf` against afterwriting's CLI turning the exported Fountain into a PDF,
// with both page counts.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { PDFDocument } = require('pdf-lib');
const { compare, fmt, runStoryloom, tempDb, PREMISE } = require('../engine/support');

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'packages/server/bin/storyloom.js');
const AFTERWRITING = path.join(ROOT, 'node_modules/afterwriting/awc.js');

async function pagesOf(bytes) {
  return (await PDFDocument.load(bytes)).getPageCount();
}

async function main() {
  const pipeline = JSON.parse(fs.readFileSync(path.join(ROOT, 'pipelines/short-screenplay.json'), 'utf8'));
  const dbPath = tempDb('pdf.db');
  const { storyloom, run } = await runStoryloom(pipeline, { premise: PREMISE, scenes: 30 }, dbPath);
  const pdf = await storyloom.exportRun(run.id, 'pdf');
  const pages = await pagesOf(pdf.content);

  const { a: pdfMs, b: fountainMs } = await compare(
    7,
    async () => {
      const started = performance.now();
      await storyloom.exportRun(run.id, 'pdf');
      return performance.now() - started;
    },
    async () => {
      const started = performance.now();
      await storyloom.exportRun(run.id, 'fountain');
      return performance.now() - started;
    },
  );
  await storyloom.close();
  console.log(`30-scene offline screenplay, ${pages} pages (title page included), medians of 7 alternating renders:`);
  for (const key of ['wall', 'cpu']) {
    console.log(
      `  ${key.padEnd(4)} PDF ${fmt(pdfMs[key])} ms (${fmt(pdfMs[key] / pages)} ms/page), Fountain ${fmt(fountainMs[key])} ms: ` +
        `ratio ${fmt(pdfMs[key] / fountainMs[key], 1)}x`,
    );
  }

  const dir = path.dirname(dbPath);
  const fountainFile = path.join(dir, 'script.fountain');
  execFileSync(process.execPath, [CLI, 'export', run.id, '--format', 'fountain', '--out', fountainFile, '--db', dbPath], { stdio: 'ignore' });
  const ours = path.join(dir, 'ours.pdf');
  const theirs = path.join(dir, 'afterwriting.pdf');
  const wall = (command) => async () => {
    const started = performance.now();
    execFileSync(process.execPath, command, { cwd: dir, stdio: 'ignore' });
    return performance.now() - started;
  };
  const { a: cli, b: reference } = await compare(
    5,
    wall([CLI, 'export', run.id, '--format', 'pdf', '--out', ours, '--db', dbPath]),
    wall([AFTERWRITING, '--source', fountainFile, '--pdf', theirs, '--overwrite', '--setting', 'print_profile=usletter']),
  );
  const referencePages = await pagesOf(fs.readFileSync(theirs));
  const ourPages = await pagesOf(fs.readFileSync(ours));
  console.log('From a fresh process (wall, medians of 5 alternating runs):');
  console.log(
    `  storyloom export --format pdf ${fmt(cli.wall, 0)} ms, afterwriting on the same Fountain ${fmt(reference.wall, 0)} ms: ` +
      `ratio ${fmt(cli.wall / reference.wall)}x; pages ${ourPages} vs ${referencePages}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
