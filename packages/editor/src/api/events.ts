// Reads a run's Server-Sent Events with fetch rather than EventSource, so the API key can travel in the
// Authorization header. Reconnects after a network blip with `Last-Event-ID` set to the last seq seen, the
// way EventSource would, and stops for good once the server ends the stream after the run's end.
import { type RunEvent, TERMINAL_EVENT_TYPES } from '@storyloom/engine';
import { authHeaders } from './client';

const TERMINAL = new Set<string>(TERMINAL_EVENT_TYPES);

export interface RunEventStream {
  close(): void;
}

export function followRunEvents(
  runId: string,
  onEvent: (event: RunEvent) => void,
  options: { onEnd?: () => void; onConnectionChange?: (connected: boolean) => void; retryMs?: number } = {},
): RunEventStream {
  const controller = new AbortController();
  let lastSeq = 0;
  let ended = false;

  const deliver = (block: string) => {
    let id: string | undefined;
    let name: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue; // heartbeat comment
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    // The data is the whole event, or only its `data` with type and seq carried by `event:` and `id:`.
    const event: RunEvent =
      typeof parsed.type === 'string' && typeof parsed.seq === 'number'
        ? (parsed as unknown as RunEvent)
        : ({ seq: Number(id), runId, type: name, nodeId: parsed.nodeId, at: '', data: parsed } as unknown as RunEvent);
    if (event.seq <= lastSeq) return; // already seen before a reconnect
    lastSeq = event.seq;
    onEvent(event);
    if (TERMINAL.has(event.type)) ended = true;
  };

  const connect = async () => {
    while (!controller.signal.aborted && !ended) {
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
        if (lastSeq > 0) headers['Last-Event-ID'] = String(lastSeq);
        const response = await fetch(`/api/runs/${encodeURIComponent(runId)}/events`, { headers, signal: controller.signal });
        if (!response.ok || !response.body) {
          if (response.status >= 400 && response.status < 500) break; // not found / unauthorised: retrying will not help
          throw new Error(`events: ${response.status}`);
        }
        options.onConnectionChange?.(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let boundary: number;
          while ((boundary = buffer.indexOf('\n\n')) >= 0) {
            deliver(buffer.slice(0, boundary));
            buffer = buffer.slice(boundary + 2);
          }
        }
        // The server closes the stream after the run ends; if it ended for another reason, reconnect.
        if (!ended) await sleep(options.retryMs ?? 1000, controller.signal);
      } catch {
        if (controller.signal.aborted) break;
        options.onConnectionChange?.(false);
        await sleep(options.retryMs ?? 1000, controller.signal);
      }
    }
    if (!controller.signal.aborted) options.onEnd?.();
  };
  void connect();
  return { close: () => controller.abort() };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
