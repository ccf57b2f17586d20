// Security headers on every answer (helmet), with a Content-Security-Policy under which the editor's own build runs.
import helmet from 'helmet';

/**
 * helmet's headers with a CSP the editor's own build runs under: its scripts and styles from this origin,
 * inline styles (React Flow positions nodes with style attributes), API calls and SSE to this origin only.
 * `upgrade-insecure-requests` is off because the server usually runs over plain HTTP on a local network.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}
