// The editor's entry point: applies the stored theme before anything is drawn, starts loading the user, the node
// catalogue, the models and the pipelines so those requests overlap React's mount, and renders the app.
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
