// Fountain rendered as a formatted screenplay page: bold scene headings, centered cues, indented dialogue.
import { useMemo } from 'react';
import { emphasisRuns, parseFountain, type FountainElement } from '../lib/fountain';

function Styled({ text }: { text: string }) {
  return (
    <>
      {emphasisRuns(text).map((run, i) => {
        let node: React.ReactNode = run.text;
        if (run.underline) node = <u>{node}</u>;
        if (run.italic) node = <em>{node}</em>;
        if (run.bold) node = <strong>{node}</strong>;
        return <span key={i}>{node}</span>;
      })}
    </>
  );
}

function Element({ element }: { element: FountainElement }) {
  if (element.kind === 'pagebreak') return <hr className="sp-pagebreak" />;
  const Tag = element.kind === 'scene' ? 'h3' : 'p';
  return (
    <Tag className={`sp-${element.kind}`} data-fountain={element.kind}>
      <Styled text={element.text} />
    </Tag>
  );
}

export function ScreenplayPage({ source }: { source: string }) {
  const document = useMemo(() => parseFountain(source), [source]);
  const title = document.titlePage.find((entry) => entry.key.toLowerCase() === 'title')?.value;
  const others = document.titlePage.filter((entry) => entry.key.toLowerCase() !== 'title');
  return (
    <div className="screenplay" data-testid="screenplay">
      {document.titlePage.length > 0 && (
        <div className="sp-page sp-title-page">
          {title && <h1 className="sp-title">{title}</h1>}
          {others.map((entry) => (
            <p key={entry.key} className="sp-title-entry">
              {entry.value}
            </p>
          ))}
        </div>
      )}
      <div className="sp-page">
        {document.elements.map((element, i) => (
          <Element key={i} element={element} />
        ))}
      </div>
    </div>
  );
}
