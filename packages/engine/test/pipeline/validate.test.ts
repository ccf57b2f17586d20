import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidationProblem } from '../../src/errors';
import { VALIDATION_CODES } from '../../src/pipeline/codes';
import type { Pipeline } from '../../src/pipeline/schema';
import { formatProblems, validatePipeline } from '../../src/pipeline/validate';
import { examplePipeline, exampleWith, nodeIn } from './support/example';
import { descendantPairs, isCycleAlong, promptPipelineOf, randomDag, seededRandom, storyPipelineOf } from './support/random-graph';

const summary = (errors: ValidationProblem[]) => errors.map((error) => `${error.code} ${error.path}`);

/** Validates and expects exactly these problems (code and path), returning them for message checks. */
function expectProblems(document: unknown, expected: Array<[string, string]>, options?: { inputs?: Record<string, unknown> }): ValidationProblem[] {
  const result = validatePipeline(document, options);
  expect(summary(result.errors)).toEqual(expected.map(([code, path]) => `${code} ${path}`));
  expect(result.valid).toBe(expected.length === 0);
  return result.errors;
}

const promptNode = (id: string, template: string, writes?: string) => ({ id, type: 'prompt', config: { template }, ...(writes ? { writes } : {}) });

describe('validatePipeline', () => {
  it('accepts the example screenplay pipeline and returns it parsed', () => {
    const result = validatePipeline(examplePipeline());
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.pipeline?.id).toBe('short-screenplay');
  });

  it('documents every code it uses, and uses every code it documents', () => {
    // Using an undocumented code does not compile (`problem` takes a ValidationCode); a documented code that no
    // check writes any more would be a stale promise to tools that branch on codes.
    const dir = join(__dirname, '../../src/pipeline');
    const source = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && file !== 'codes.ts')
      .map((file) => readFileSync(join(dir, file), 'utf8'))
      .join('\n');
    const unused = Object.keys(VALIDATION_CODES).filter((code) => !source.includes(`'${code}'`));
    expect(unused).toEqual([]);
    for (const [code, description] of Object.entries(VALIDATION_CODES)) {
      expect(code).toMatch(/^[a-z_]+$/);
      expect(description.length).toBeGreaterThan(10);
    }
  });

  describe('one test per code', () => {
    it('unknown_format: another format or none, and nothing else is checked', () => {
      const [problem] = expectProblems({ ...examplePipeline(), format: 'storyloom/pipeline@2', nodes: 'broken' }, [['unknown_format', '/format']]);
      expect(problem.message).toContain('"storyloom/pipeline@2"');
      expectProblems({ id: 'x' }, [['unknown_format', '/format']]);
    });

    it('schema: wrong types, missing fields and unknown keys (with the nearest key)', () => {
      expectProblems('a pipeline', [['schema', '']]);
      const errors = expectProblems(
        exampleWith((p) => {
          (nodeIn(p, 'cast') as Record<string, unknown>).labl = 'Cast';
          (p as Record<string, unknown>).name = undefined;
          nodeIn(p, 'logline').position = { x: 0, y: 'top' as unknown as number };
          p.model = 'gpt-4' as never;
        }),
        [
          ['schema', '/name'],
          ['schema', '/model'],
          ['schema', '/nodes/0/position/y'],
          ['schema', '/nodes/1/labl'],
        ],
      );
      expect(errors[3].message).toContain("node 'cast': unknown key 'labl' (did you mean 'label'?)");
      expect(errors[2].message).toContain("node 'logline' position.y");
    });

    it('schema: input names must be identifiers usable in {{inputs.NAME}}', () => {
      const [problem] = expectProblems(exampleWith((p) => (p.inputs!['scene count'] = { type: 'number' })), [['schema', '/inputs/scene count']]);
      expect(problem.message).toContain('input names are identifiers');
    });

    it('schema only, when nodes or edges cannot be read at all', () => {
      expectProblems(
        exampleWith((p) => {
          (p as Record<string, unknown>).edges = { source: 'a', target: 'b' };
          nodeIn(p, 'cast').type = 'charcters'; // would be a graph-level problem, but graph checks cannot run
        }),
        [['schema', '/edges']],
      );
      expectProblems(exampleWith((p) => (p.nodes[2] as Record<string, unknown>).id = 7), [['schema', '/nodes/2/id']]);
    });

    it('invalid_id: pipeline id and node ids', () => {
      const errors = expectProblems(
        exampleWith((p) => {
          p.id = 'Short Screenplay';
          nodeIn(p, 'cast').id = '-cast';
          p.edges = p.edges.map((edge) => ({ source: edge.source === 'cast' ? '-cast' : edge.source, target: edge.target === 'cast' ? '-cast' : edge.target }));
        }),
        [
          ['invalid_id', '/id'],
          ['invalid_id', '/nodes/1/id'],
        ],
      );
      expect(errors[1].message).toMatch(/lower-case letters, digits and dashes/);
    });

    it('duplicate_node_id', () => {
      const [problem] = expectProblems(
        exampleWith((p) => p.nodes.push({ id: 'cast', type: 'setting' })),
        [['duplicate_node_id', '/nodes/6/id']],
      );
      expect(problem.message).toBe("node id 'cast' is used by node 1 and node 6; node ids must be unique");
    });

    it('unknown_node: an edge from or to a node that does not exist (with the nearest id)', () => {
      const [problem] = expectProblems(
        exampleWith((p) => p.edges.push({ source: 'cast', target: 'scirpt' }, { source: 'ghost', target: 'notes' })),
        [
          ['unknown_node', '/edges/7/target'],
          ['unknown_node', '/edges/8/source'],
        ],
      );
      expect(problem.message).toBe("edge 7 (cast → scirpt): target 'scirpt' is not a node (did you mean 'script'?)");
    });

    it('self_loop', () => {
      const [problem] = expectProblems(exampleWith((p) => p.edges.push({ source: 'beats', target: 'beats' })), [['self_loop', '/edges/7']]);
      expect(problem.message).toContain("connects node 'beats' to itself");
    });

    it('duplicate_edge', () => {
      const [problem] = expectProblems(exampleWith((p) => p.edges.push({ source: 'cast', target: 'lines' })), [['duplicate_edge', '/edges/7']]);
      expect(problem.message).toBe('edge 7 (cast → lines) repeats edge 4');
    });

    it('cycle: named by its path, at the edge that closes it', () => {
      const [problem] = expectProblems(exampleWith((p) => p.edges.push({ source: 'lines', target: 'beats' })), [['cycle', '/edges/7']]);
      expect(problem.message).toBe('cycle: beats → lines → beats');
    });

    it('cycle: disjoint cycles are each reported', () => {
      const errors = expectProblems(
        exampleWith((p) => p.edges.push({ source: 'beats', target: 'cast' }, { source: 'script', target: 'notes' })),
        [
          ['cycle', '/edges/7'],
          ['cycle', '/edges/8'],
        ],
      );
      expect(errors.map((e) => e.message)).toEqual(['cycle: cast → beats → cast', 'cycle: notes → script → notes']);
    });

    it('unknown_node_type: suggests the nearest type', () => {
      const errors = expectProblems(
        exampleWith((p) => {
          nodeIn(p, 'cast').type = 'charcters';
          nodeIn(p, 'script').type = 'pdf';
        }),
        [
          ['unknown_node_type', '/nodes/1/type'],
          ['unknown_node_type', '/nodes/5/type'],
          // 'lines' reads characters, which no known type writes any more.
          ['missing_slot', '/nodes/3'],
        ],
      );
      const byCode = errors.filter((e) => e.code === 'unknown_node_type');
      expect(byCode[0].message).toBe("node 'cast' has unknown type 'charcters' (did you mean 'characters'?)");
      expect(byCode[1].message).toMatch(/^node 'script' has unknown type 'pdf'; known types: .*logline.*export/);
    });

    it('invalid_config: a field of the wrong type, out of range, or an unknown key, with the path into the config', () => {
      const errors = expectProblems(
        exampleWith((p) => {
          nodeIn(p, 'cast').config = { count: 'four' };
          nodeIn(p, 'beats').config = { scenes: 500 };
          nodeIn(p, 'script').config = { format: 'fountain', fromat: 'pdf' };
        }),
        [
          ['invalid_config', '/nodes/1/config/count'],
          ['invalid_config', '/nodes/2/config/scenes'],
          ['invalid_config', '/nodes/5/config/fromat'],
        ],
      );
      expect(errors[0].message).toMatch(/^characters 'cast' config 'count': expected number/);
      expect(errors[2].message).toContain("unknown key 'fromat' (did you mean 'format'?)");
    });

    it('invalid_config: {{inputs.NAME}} takes the input type; a run value is checked against the field', () => {
      // A number input on a number field: fine with or without a default, and with a run value in range.
      expectProblems(exampleWith((p) => delete p.inputs!.scenes.default), []);
      expectProblems(examplePipeline(), [], { inputs: { premise: 'A lighthouse.', scenes: '8' } });
      // A string input on a number field is wrong whatever its value.
      expectProblems(exampleWith((p) => (p.inputs!.scenes = { type: 'string' })), [['invalid_config', '/nodes/2/config/scenes']]);
      // A default out of the field's range, or a run value out of range, names the input.
      const [fromDefault] = expectProblems(exampleWith((p) => (p.inputs!.scenes.default = 0)), [['invalid_config', '/nodes/2/config/scenes']]);
      expect(fromDefault.message).toContain("input 'scenes' = 0");
      const [fromRun] = expectProblems(examplePipeline(), [['invalid_config', '/nodes/2/config/scenes']], { inputs: { premise: 'x', scenes: 500 } });
      expect(fromRun.message).toContain("input 'scenes' = 500");
    });

    it('missing_slot: names the node, its type and the slot, and how to fix it', () => {
      // Without cast → beats and cast → lines, 'cast' is no longer upstream of 'lines'.
      const [problem] = expectProblems(exampleWith((p) => (p.edges = p.edges.filter((edge) => edge.source !== 'cast'))), [['missing_slot', '/nodes/3']]);
      expect(problem.message).toBe("Dialogue 'lines' needs the characters that Characters 'cast' writes — connect it before 'lines'");
      // The fix as one action: the edge the message asks for.
      expect(problem.fix).toEqual({ kind: 'connect', source: 'cast', target: 'lines' });
      const connected = exampleWith((p) => {
        p.edges = p.edges.filter((edge) => edge.source !== 'cast');
        p.edges.push({ source: problem.fix!.source, target: problem.fix!.target });
      });
      expect(validatePipeline(connected).errors.filter((e) => e.path === '/nodes/3')).toEqual([]);
      const [alternative] = expectProblems(exampleWith((p) => p.edges.splice(3, 1)), [['missing_slot', '/nodes/3']]);
      expect(alternative.message).toMatch(/^Dialogue 'lines' needs the (scenes|outline) that (Scenes|Outline) '\w+' writes — connect it before 'lines'$/);
      // Nothing writes it anywhere: suggest the type that does.
      const [none] = expectProblems(
        exampleWith((p) => {
          p.nodes.splice(1, 1);
          p.edges = p.edges.filter((edge) => edge.source !== 'cast' && edge.target !== 'cast');
        }),
        [['missing_slot', '/nodes/2']],
      );
      expect(none.message).toBe("Dialogue 'lines' needs a Characters node before it — connect one");
      expect(none.fix).toBeUndefined();
    });

    it('missing_slot: no fix is offered when the writer comes after the node (the edge would close a loop)', () => {
      // 'lines' reads the characters; the only Characters node now sits after it.
      const [problem] = expectProblems(
        exampleWith((p) => {
          p.edges = p.edges.filter((edge) => edge.source !== 'cast' && edge.target !== 'cast');
          p.edges.push({ source: 'lines', target: 'cast' });
        }),
        [['missing_slot', '/nodes/3']],
      );
      expect(problem.message).toContain("connect it before 'lines'");
      expect(problem.fix).toBeUndefined();
    });

    it('slot_conflict: two unrelated writers of one slot; a writer downstream of another is fine', () => {
      const [problem] = expectProblems(
        exampleWith((p) => {
          p.nodes.push(promptNode('more-cast', 'Add a character to {{logline}}', 'characters'));
          p.edges.push({ source: 'logline', target: 'more-cast' });
        }),
        [['slot_conflict', '/nodes/6/writes']],
      );
      expect(problem.message).toMatch(/^Characters 'cast' and Prompt 'more-cast' both write the characters and neither comes before the other/);
      expectProblems(
        exampleWith((p) => {
          p.nodes.push(promptNode('more-cast', 'Add a character to {{characters}}', 'characters'));
          p.edges.push({ source: 'cast', target: 'more-cast' }, { source: 'more-cast', target: 'beats' });
        }),
        [],
      );
    });

    it('missing_writes: a prompt node must say what it writes', () => {
      const [problem] = expectProblems(
        exampleWith((p) => {
          p.nodes.push(promptNode('tagline', 'A tagline for {{logline}}'));
          p.edges.push({ source: 'logline', target: 'tagline' });
        }),
        [['missing_writes', '/nodes/6/writes']],
      );
      expect(problem.message).toBe('Prompt \'tagline\' needs a name for what it writes — fill in its "writes" slot (for example "tagline")');
    });

    it('invalid_slot_name', () => {
      expectProblems(
        exampleWith((p) => {
          p.nodes.push(promptNode('tagline', 'A tagline for {{logline}}', 'tag line'));
          p.edges.push({ source: 'logline', target: 'tagline' });
        }),
        [['invalid_slot_name', '/nodes/6/writes']],
      );
    });

    it('unknown_template_ref: slots nobody upstream writes, undeclared inputs, in templates and config strings', () => {
      const errors = expectProblems(
        exampleWith((p) => {
          p.nodes.push(promptNode('tagline', 'For {{logline.title}} with {{charcters}}, tone {{inputs.tone}}. Draft: {{dialogue}}', 'tagline'));
          p.edges.push({ source: 'cast', target: 'tagline' });
          nodeIn(p, 'beats').config = { scenes: '{{inputs.sceens}}' };
        }),
        [
          ['unknown_template_ref', '/nodes/2/config/scenes'],
          ['unknown_template_ref', '/nodes/6/config/template'],
          ['unknown_template_ref', '/nodes/6/config/template'],
          ['unknown_template_ref', '/nodes/6/config/template'],
        ],
      );
      expect(errors[0].message).toBe("outline 'beats' references {{inputs.sceens}} but the pipeline has no input 'sceens' (did you mean 'scenes'?)");
      expect(errors.map((e) => e.message).slice(1)).toEqual([
        expect.stringMatching(/\{\{charcters\}\} but no upstream node writes slot 'charcters' \(did you mean 'characters'\?\)$/),
        expect.stringContaining("{{inputs.tone}} but the pipeline has no input 'tone'"),
        expect.stringContaining("{{dialogue}} but no upstream node writes slot 'dialogue'; dialogue 'lines' writes it: connect it upstream of 'tagline'"),
      ]);
      expect(errors.map((e) => e.fix)).toEqual([undefined, undefined, undefined, { kind: 'connect', source: 'lines', target: 'tagline' }]);
    });

    it('missing_input / invalid_input / unknown_input: required, mistyped and unknown run inputs, only when inputs are given', () => {
      expectProblems(examplePipeline(), []);
      const [missing] = expectProblems(examplePipeline(), [['missing_input', '/inputs/premise']], { inputs: {} });
      expect(missing.message).toContain("needs input 'premise'");
      expectProblems(
        examplePipeline(),
        [
          ['invalid_input', '/inputs/scenes'],
          ['unknown_input', '/inputs/tone'],
        ],
        { inputs: { premise: 'x', scenes: 'six', tone: 'dark' } },
      );
    });

    it('invalid_input_default', () => {
      const [problem] = expectProblems(exampleWith((p) => (p.inputs!.scenes.default = '6')), [['invalid_input_default', '/inputs/scenes/default']]);
      expect(problem.message).toBe('input \'scenes\' is declared as number but its default is "6"');
    });

    it('review_target: not a node, not upstream, or a node that cannot rewrite', () => {
      const [unknown] = expectProblems(exampleWith((p) => (nodeIn(p, 'notes').config!.target = 'line')), [['review_target', '/nodes/4/config/target']]);
      expect(unknown.message).toBe("Review 'notes' reviews 'line', which is not a node of this pipeline (did you mean 'lines'?) — pick the stage to review");
      const [downstream] = expectProblems(exampleWith((p) => (nodeIn(p, 'notes').config!.target = 'script')), [['review_target', '/nodes/4/config/target']]);
      expect(downstream.message).toContain("reviews Export 'script', which does not come before it");
      const [cannotRewrite] = expectProblems(
        exampleWith((p) => {
          p.nodes.push({ id: 'final-check', type: 'review', config: { target: 'script' } }, { id: 'final-script', type: 'export', writes: 'final' });
          p.edges.push({ source: 'script', target: 'final-check' }, { source: 'final-check', target: 'final-script' });
        }),
        [['review_target', '/nodes/6/config/target']],
      );
      expect(cannotRewrite.message).toBe("Review 'final-check' reviews Export 'script', which cannot rewrite what it wrote — review a writing stage (Dialogue, Prose or a Prompt)");
    });
  });

  it('reports every problem at once', () => {
    const document = exampleWith((p) => {
      (p as Record<string, unknown>).descripton = 'typo';
      nodeIn(p, 'cast').type = 'charactors';
      nodeIn(p, 'beats').config = { scenes: 'many' };
      nodeIn(p, 'notes').config!.target = 'nowhere';
      p.edges.push({ source: 'script', target: 'logline' }, { source: 'lines', target: 'ghost' });
      p.inputs!.scenes.default = 'six';
    });
    const codes = new Set(validatePipeline(document, { inputs: {} }).errors.map((error) => error.code));
    expect([...codes].sort()).toEqual(
      ['schema', 'unknown_node_type', 'invalid_config', 'review_target', 'cycle', 'unknown_node', 'invalid_input_default', 'missing_input', 'missing_slot'].sort(),
    );
  });

  /** Validates a random DAG, then the same graph plus one back edge: exactly one cycle problem, naming a real cycle. */
  function expectCycleOnlyWithBackEdge(pipeline: Pipeline, graph: { nodes: string[]; edges: Array<[string, string]> }, random: () => number): void {
    expect(validatePipeline(pipeline).errors).toEqual([]);
    const pairs = descendantPairs(graph);
    if (pairs.length === 0) return;
    const [ancestor, descendant] = pairs[Math.floor(random() * pairs.length)];
    const withBack: Pipeline = { ...pipeline, edges: [...pipeline.edges, { source: descendant, target: ancestor }] };
    const { errors } = validatePipeline(withBack);
    expect(errors.map((error) => error.code)).toEqual(['cycle']);
    const path = errors[0].message.replace(/^cycle: /, '').split(' → ');
    expect(isCycleAlong(path, withBack.edges)).toBe(true);
    // The reported edge is one of the cycle's steps.
    const edge = withBack.edges[Number(errors[0].path.replace('/edges/', ''))];
    expect(path.some((id, i) => i > 0 && path[i - 1] === edge.source && id === edge.target)).toBe(true);
  }

  it('random DAGs of prompt nodes (up to 60) validate; one back edge makes exactly one named, real cycle', () => {
    const random = seededRandom(42);
    for (let round = 0; round < 30; round++) {
      const dag = randomDag(1 + Math.floor(random() * 60), random() * 0.25, random);
      expectCycleOnlyWithBackEdge(promptPipelineOf(dag), dag, random);
    }
  });

  it('random DAGs around the real screenplay node types validate, and report the cycle a back edge makes', () => {
    const random = seededRandom(1234);
    for (let round = 0; round < 20; round++) {
      const dag = randomDag(Math.floor(random() * 50), random() * 0.2, random);
      const story = storyPipelineOf(dag, random);
      expectCycleOnlyWithBackEdge(story.pipeline, story, random);
    }
  });
});

describe('formatProblems', () => {
  it('prints one aligned line per problem', () => {
    expect(
      formatProblems([
        { path: '/edges/3', code: 'cycle', message: 'cycle: beats → lines → beats' },
        { path: '', code: 'schema', message: 'a pipeline is a JSON object' },
      ]),
    ).toBe('/edges/3  cycle   cycle: beats → lines → beats\n/         schema  a pipeline is a JSON object');
  });
});
