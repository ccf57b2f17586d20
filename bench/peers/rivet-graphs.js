// The benchmark's shapes as Rivet projects built in code: a graph input, Chat nodes pointed at the
// OpenAI-compatible stub, Text nodes that join several answers into one prompt, and a graph output.
const rivet = require('@ironclad/rivet-node');

const GRAPH_ID = 'bench';

function chatNode(title) {
  const node = rivet.ChatNodeImpl.create();
  node.title = title;
  node.data.model = 'gpt-4o-mini';
  node.data.cache = false;
  return node;
}

/** A Text node whose template names one input per part, `{{p0}} {{p1}} …`: Rivet's way to join answers. */
function joinTextNode(parts) {
  const node = rivet.TextNodeImpl.create();
  node.data.text = `Join: ${Array.from({ length: parts }, (_, i) => `{{p${i}}}`).join(' ')}`;
  return node;
}

function graphInput() {
  const node = rivet.GraphInputNodeImpl.create();
  node.data.id = 'premise';
  node.data.dataType = 'string';
  return node;
}

function graphOutput() {
  const node = rivet.GraphOutputNodeImpl.create();
  node.data.id = 'result';
  node.data.dataType = 'string';
  return node;
}

const link = (from, outputId, to, inputId) => ({ outputNodeId: from.id, outputId, inputNodeId: to.id, inputId });

function project(nodes, connections) {
  return {
    metadata: { id: 'storyloom-bench', title: 'Storyloom peers benchmark', description: '', mainGraphId: GRAPH_ID },
    graphs: { [GRAPH_ID]: { metadata: { id: GRAPH_ID, name: 'bench', description: '' }, nodes, connections } },
    plugins: [],
  };
}

/** premise → chat × length (each prompted with the previous answer) → output. */
function chainProject(length) {
  const input = graphInput();
  const output = graphOutput();
  const chats = Array.from({ length }, (_, i) => chatNode(`c${i}`));
  const connections = chats.map((chat, i) => (i === 0 ? link(input, 'data', chat, 'prompt') : link(chats[i - 1], 'response', chat, 'prompt')));
  connections.push(link(chats[length - 1], 'response', output, 'value'));
  return project([input, ...chats, output], connections);
}

/** premise → `width` chats in parallel → (join text → join chat) → output. */
function fanOutProject(width, { join }) {
  const input = graphInput();
  const output = graphOutput();
  const leaves = Array.from({ length: width }, (_, i) => chatNode(`leaf${i}`));
  const text = joinTextNode(width);
  const joinChat = chatNode('join');
  const connections = leaves.flatMap((leaf, i) => [link(input, 'data', leaf, 'prompt'), link(leaf, 'response', text, `p${i}`)]);
  if (join) connections.push(link(text, 'output', joinChat, 'prompt'), link(joinChat, 'response', output, 'value'));
  else connections.push(link(text, 'output', output, 'value'));
  return project(join ? [input, ...leaves, text, joinChat, output] : [input, ...leaves, text, output], connections);
}

/** Runs a project's graph against the stub; resolves to the graph's outputs. */
function runRivet(rivetProject, stubUrl, premise) {
  return rivet.runGraph(rivetProject, {
    graph: GRAPH_ID,
    inputs: { premise },
    openAiKey: 'bench-key',
    openAiEndpoint: `${stubUrl}/chat/completions`,
  });
}

module.exports = { chainProject, fanOutProject, runRivet };
