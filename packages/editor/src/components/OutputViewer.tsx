// The finished run's document: Fountain as a screenplay page, Markdown as text, raw views, and downloads
// of every export format (the PDF as the server renders it) and of the run's review report.
import { useEffect, useState } from 'react';
import { EXPORT_EXTENSIONS, EXPORT_TITLES, TEXT_EXPORT_FORMATS, type TextExportFormat } from '@storyloom/engine';
import { api, downloadBlob, downloadText } from '../api/client';
import { editorStore, useEditor } from '../store/state';
import { attempt } from '../store/toasts';
import { OfflineNotice } from './OfflineNotice';
import { ScreenplayPage } from './ScreenplayPage';
import { useEscape } from './useEscape';

const closeOutput = () => editorStore.setState({ outputOpen: false });

export function OutputViewer() {
  const open = useEditor((s) => s.outputOpen);
  const runId = useEditor((s) => s.run?.id);
  const [format, setFormat] = useState<TextExportFormat>('fountain');
  const [documents, setDocuments] = useState<Partial<Record<TextExportFormat, string>>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => setDocuments({}), [runId]);
  useEffect(() => {
    if (!open || !runId || documents[format] !== undefined) return;
    setError(null);
    api
      .exportRun(runId, format)
      .then((doc) => setDocuments((d) => ({ ...d, [format]: doc.content })))
      .catch((e: Error) => setError(e.message));
  }, [open, runId, format, documents]);

  useEscape(open, closeOutput);
  if (!open || !runId) return null;
  const close = closeOutput;
  const content = documents[format];
  return (
    <div className="modal-backdrop" onClick={close}>
      <div className="modal output-viewer" data-testid="output-viewer" onClick={(e) => e.stopPropagation()}>
        <header className="modal-head">
          <div className="tabs">
            {TEXT_EXPORT_FORMATS.map((f) => (
              <button key={f} className={f === format ? 'tab active' : 'tab'} onClick={() => setFormat(f)} data-testid={`output-tab-${f}`}>
                {EXPORT_TITLES[f]}
              </button>
            ))}
          </div>
          <div className="row-actions">
            {TEXT_EXPORT_FORMATS.map((f) => (
              <button
                key={f}
                className="ghost small"
                data-testid={`download-${f}`}
                onClick={() =>
                  void attempt(`Could not export ${f}`, async () => {
                    const doc = await api.exportRun(runId, f);
                    downloadText(doc.filename, doc.content, doc.mediaType);
                  })
                }
              >
                ⬇ .{EXPORT_EXTENSIONS[f]}
              </button>
            ))}
            <button
              className="ghost small"
              data-testid="download-pdf"
              title="The screenplay as a PDF in industry layout (prose: a manuscript)"
              onClick={() =>
                void attempt('Could not export pdf', async () => {
                  const doc = await api.exportPdf(runId);
                  downloadBlob(doc.filename, doc.content);
                })
              }
            >
              ⬇ .{EXPORT_EXTENSIONS.pdf}
            </button>
            <button
              className="ghost small"
              data-testid="download-review"
              title="The run's review: each decision with who made it, and every comment thread (Markdown)"
              onClick={() =>
                void attempt('Could not download the review report', async () => {
                  const doc = await api.reviewReport(runId);
                  downloadText(doc.filename, doc.content, doc.mediaType);
                })
              }
            >
              ⬇ review
            </button>
            <button className="icon" onClick={close} aria-label="Close">
              ×
            </button>
          </div>
        </header>
        <div className="modal-body" tabIndex={0}>
          <OfflineNotice />
          {error && <p className="field-problem">{error}</p>}
          {content === undefined && !error && <p className="muted">Loading…</p>}
          {content !== undefined && format === 'fountain' && <ScreenplayPage source={content} />}
          {content !== undefined && format !== 'fountain' && <pre className={`document-text ${format === 'markdown' ? 'prose' : 'mono'}`}>{content}</pre>}
        </div>
      </div>
    </div>
  );
}
