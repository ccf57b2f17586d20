import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';
import { applyTheme, storedTheme } from './lib/theme';
import { bootstrap } from './store/pipelineActions';

applyTheme(storedTheme());
// Start loading before the first render so the requests overlap React's mount.
void bootstrap();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
