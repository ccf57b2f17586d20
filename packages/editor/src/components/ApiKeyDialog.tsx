// Asks for an API key when the server answers 401 (STORYLOOM_API_KEYS set); the key is kept in localStorage.
import { useEffect, useState } from 'react';
import { setApiKeyPrompt } from '../api/client';

export function ApiKeyDialog() {
  const [request, setRequest] = useState<{ reason: string; resolve: (key: string | null) => void } | null>(null);
  const [key, setKey] = useState('');
  useEffect(() => {
    // Several calls failing at once share one prompt.
    let open: Promise<string | null> | null = null;
    setApiKeyPrompt((reason) => {
      open ??= new Promise<string | null>((resolve) => setRequest({ reason, resolve })).finally(() => {
        open = null;
      });
      return open;
    });
  }, []);
  if (!request) return null;
  const finish = (value: string | null) => {
    request.resolve(value);
    setRequest(null);
    setKey('');
  };
  return (
    <div className="modal-backdrop">
      <form
        className="modal small-modal"
        data-testid="api-key-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          finish(key.trim() || null);
        }}
      >
        <header className="modal-head">
          <h3>API key required</h3>
        </header>
        <div className="modal-body" tabIndex={0}>
          <p className="muted">{request.reason}</p>
          <p>This server needs an API key. It is kept in this browser only.</p>
          <input type="password" autoFocus value={key} placeholder="API key" data-testid="api-key-input" onChange={(e) => setKey(e.target.value)} />
          <div className="button-row">
            <button type="submit" className="primary">
              Use key
            </button>
            <button type="button" onClick={() => finish(null)}>
              Cancel
            </button>
          </div>
        </div>
      </form>
    </div>
  );
}
