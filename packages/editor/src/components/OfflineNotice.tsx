// Says plainly when text came from the offline placeholder writer rather than a language model.
import { offlineWriterNodes } from '../lib/offlineWriter';
import { useEditor } from '../store/state';

/** The run's nodes written offline (all of them when `nodeId` is not given, else that node). */
function useOfflineNodes(nodeId?: string): string[] {
  const runModel = useEditor((s) => s.run?.view?.model);
  const pipelineModel = useEditor((s) => s.meta.model);
  const nodes = useEditor((s) => s.nodes);
  const catalogue = useEditor((s) => s.catalogue);
  const models = useEditor((s) => s.models);
  const offline = offlineWriterNodes({ runModel, pipelineModel, nodes, catalogue, models });
  return nodeId ? offline.filter((id) => id === nodeId) : offline;
}

export function OfflineNotice({ nodeId }: { nodeId?: string }) {
  const offline = useOfflineNodes(nodeId);
  if (offline.length === 0) return null;
  return (
    <p className="offline-notice" data-testid="offline-notice" role="note">
      <strong>Placeholder text.</strong>{' '}
      {nodeId ? 'This stage was' : offline.length === 1 ? 'One stage was' : `${offline.length} stages were`} written by the offline placeholder
      writer, not a language model: it shows the pipeline's shape, not a real draft. Set a model (for example
      STORYLOOM_MODEL=openai:gpt-4o-mini) for real writing.
    </p>
  );
}
