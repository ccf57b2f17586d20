// The editor asking before it acts (run unsaved edits, cancel a run): a small modal with the options.
import { editorStore, useEditor } from '../store/state';
import { useEscape } from './useEscape';

const dismiss = () => editorStore.setState({ choice: null });

export function ChoiceDialog() {
  const choice = useEditor((s) => s.choice);
  useEscape(choice !== null, dismiss);
  if (!choice) return null;
  return (
    <div className="modal-backdrop" onClick={dismiss}>
      <div className="modal small-modal" role="alertdialog" aria-labelledby="choice-title" data-testid="choice-dialog" onClick={(e) => e.stopPropagation()}>
        <header className="modal-head">
          <h3 id="choice-title">{choice.title}</h3>
        </header>
        <div className="modal-body" tabIndex={0}>
          <p>{choice.message}</p>
          <div className="button-row">
            {choice.options.map((option, index) => (
              <button key={option.testId} className={option.kind ?? ''} data-testid={option.testId} autoFocus={index === 0} onClick={option.action}>
                {option.label}
              </button>
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
