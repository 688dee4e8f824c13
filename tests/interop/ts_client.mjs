// Drive genispace-mcp with the official TypeScript SDK client, as a third-party client would.
//
// Usage: node ts_client.mjs --sdk v1|v2 --era legacy|auto|modern --transport http|sse|stdio
//                          [--header 'Name: value']... (--url URL | --command CMD [ARGS...])
// Connects, lists and validates every tool schema, calls every read tool (and the few safe
// write tools the checks need) with arguments taken from the sandbox's demo data, checks that a
// delete is refused without confirmation (and with a declined elicitation), then reads the
// resources, templates, completions and prompts. The SDK itself validates structuredContent
// against each tool's outputSchema when calling, so a mismatch fails the call.
// Prints one JSON report on stdout ({ok, negotiated, checks: [...]}) and exits 0 only if every
// check passed. Written for the sandbox's demo workspace (`genispace-mcp --sandbox`).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const SDK = opt('sdk', 'v2');
const ERA = opt('era', 'legacy');
const TRANSPORT = opt('transport', 'http');
const URL_ARG = opt('url');
const COMMAND = (() => {
  const i = argv.indexOf('--command');
  return i >= 0 ? argv.slice(i + 1) : null;
})();
const CALL_TIMEOUT_MS = Number(opt('timeout-ms', '60000'));
// --header 'Name: value' (repeatable; before --command): sent on every HTTP request.
const HEADERS = Object.fromEntries(
  argv
    .flatMap((a, i) => (a === '--header' ? [argv[i + 1]] : []))
    .map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()]),
);

// --- The SDK under test: v2 (@modelcontextprotocol/client) or v1 (@modelcontextprotocol/sdk) ---

async function loadSdk() {
  if (SDK === 'v2') {
    const m = await import('@modelcontextprotocol/client');
    const stdio = await import('@modelcontextprotocol/client/stdio');
    return {
      Client: m.Client,
      Http: m.StreamableHTTPClientTransport,
      Sse: m.SSEClientTransport,
      Stdio: stdio.StdioClientTransport,
    };
  }
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import(
    '@modelcontextprotocol/sdk/client/streamableHttp.js'
  );
  const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const types = await import('@modelcontextprotocol/sdk/types.js');
  return {
    Client,
    Http: StreamableHTTPClientTransport,
    Sse: SSEClientTransport,
    Stdio: StdioClientTransport,
    ElicitRequestSchema: types.ElicitRequestSchema,
  };
}

function clientOptions(capabilities) {
  const options = { capabilities };
  if (SDK === 'v2') {
    const mode = ERA === 'modern' ? { pin: '2026-07-28' } : ERA;
    options.versionNegotiation = { mode };
  }
  return options;
}

function makeTransport(sdk) {
  if (TRANSPORT === 'stdio') {
    if (!COMMAND) throw new Error('--transport stdio needs --command CMD [ARGS...]');
    return new sdk.Stdio({ command: COMMAND[0], args: COMMAND.slice(1), stderr: 'ignore' });
  }
  if (!URL_ARG) throw new Error(`--transport ${TRANSPORT} needs --url`);
  const options = { requestInit: { headers: HEADERS } };
  return TRANSPORT === 'sse'
    ? new sdk.Sse(new URL(URL_ARG), options)
    : new sdk.Http(new URL(URL_ARG), options);
}

async function connect(sdk, { elicit } = {}) {
  const capabilities = elicit ? { elicitation: { form: {} } } : {};
  const client = new sdk.Client({ name: 'genispace-interop', version: '1.0.0' }, clientOptions(capabilities));
  if (elicit) {
    const handler = async () => elicit;
    if (SDK === 'v2') client.setRequestHandler('elicitation/create', handler);
    else client.setRequestHandler(sdk.ElicitRequestSchema, handler);
  }
  await client.connect(makeTransport(sdk));
  return client;
}

// --- Checks ---

const checks = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    checks.push({ name, ok: true, ms: Date.now() - started, ...(detail ? { detail } : {}) });
  } catch (error) {
    checks.push({
      name,
      ok: false,
      ms: Date.now() - started,
      error: String(error?.message ?? error),
      ...(error?.code !== undefined ? { code: error.code } : {}),
      ...(error?.data !== undefined ? { data: error.data } : {}),
    });
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const textOf = (result) =>
  (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

let tools = new Map();

// v2: callTool(params, options); v1: callTool(params, resultSchema, options).
const callTool = (client, params, options) =>
  SDK === 'v2' ? client.callTool(params, options) : client.callTool(params, undefined, options);

async function call(client, name, args, { expectError = false } = {}) {
  const result = await callTool(client, { name, arguments: args }, { timeout: CALL_TIMEOUT_MS });
  if (expectError) {
    assert(result.isError === true, `${name} should be refused, got ${textOf(result).slice(0, 300)}`);
    assert(result.structuredContent === undefined, `${name}: an error result carries structuredContent`);
    return result;
  }
  assert(!result.isError, `${name} failed: ${textOf(result).slice(0, 500)}`);
  assert(textOf(result).length > 0, `${name}: no text content`);
  const tool = tools.get(name);
  if (tool?.outputSchema) {
    assert(result.structuredContent !== undefined, `${name}: outputSchema but no structuredContent`);
  }
  return result;
}

function compileSchemas(toolList) {
  // Strict Ajv (draft 2020-12, as MCP specifies): unknown keywords or broken $refs fail here.
  const Ajv2020 = require('ajv/dist/2020').default;
  const addFormats = require('ajv-formats').default;
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
  const problems = [];
  for (const tool of toolList) {
    for (const key of ['inputSchema', 'outputSchema']) {
      const schema = tool[key];
      if (schema === undefined) continue;
      if (schema.type !== 'object') problems.push(`${tool.name}.${key}: type is not "object"`);
      try {
        ajv.compile(schema);
      } catch (error) {
        problems.push(`${tool.name}.${key}: ${error.message}`);
      }
    }
  }
  return problems;
}

async function main() {
  const sdk = await loadSdk();
  const client = await connect(sdk);
  const report = {
    sdk: SDK,
    era: ERA,
    transport: TRANSPORT,
    negotiated: client.getNegotiatedProtocolVersion?.() ?? client.transport?.protocolVersion,
    server: client.getServerVersion?.(),
  };
  const ids = {};

  try {
    await check('tools/list', async () => {
      const all = [];
      let cursor;
      do {
        const page = await client.listTools(cursor ? { cursor } : undefined);
        all.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      tools = new Map(all.map((t) => [t.name, t]));
      assert(all.length > 0, 'no tools');
      for (const t of all) {
        assert(t.name.length <= 40, `${t.name}: name longer than 40`);
        assert(t.title || t.annotations?.title, `${t.name}: no title`);
        assert(t.description, `${t.name}: no description`);
        const a = t.annotations ?? {};
        for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']) {
          assert(typeof a[hint] === 'boolean', `${t.name}: annotation ${hint} not set`);
        }
        assert(t.outputSchema, `${t.name}: no outputSchema`);
      }
      return { count: all.length, names: all.map((t) => t.name) };
    });

    await check('schemas compile (Ajv 2020-12, strict)', async () => {
      const problems = compileSchemas([...tools.values()]);
      assert(problems.length === 0, problems.join('; '));
    });

    const has = (name) => tools.has(name);

    await check('whoami', async () => void (await call(client, 'whoami', {})));

    await check('list_agents', async () => {
      const r = await call(client, 'list_agents', {});
      const items = r.structuredContent.items;
      ids.chatAgent = items.find((a) => a.name === 'Support Assistant')?.id;
      ids.taskAgent = items.find((a) => a.name === 'Report Writer')?.id;
      ids.spareAgent = items.find((a) => a.name === 'Echo Chat')?.id;
      assert(ids.chatAgent && ids.taskAgent && ids.spareAgent, 'demo agents missing');
    });
    await check('list_agents (filters)', async () =>
      void (await call(client, 'list_agents', { type: 'CHAT', page: 1, limit: 2 })),
    );
    await check('get_agent', async () => void (await call(client, 'get_agent', { agent_id: ids.chatAgent })));
    await check('chat_with_agent', async () =>
      void (await call(client, 'chat_with_agent', {
        agent_id: ids.chatAgent,
        message: 'How do I get a refund?',
      })),
    );
    if (has('execute_agent')) {
      await check('execute_agent', async () =>
        void (await call(client, 'execute_agent', {
          agent_id: ids.taskAgent,
          inputs: { topic: 'refunds', audience: 'support team' },
        })),
      );
    }
    if (has('get_agent_logs')) {
      await check('get_agent_logs', async () =>
        void (await call(client, 'get_agent_logs', { agent_id: ids.chatAgent })),
      );
    }

    await check('list_tasks', async () => {
      const r = await call(client, 'list_tasks', {});
      const items = r.structuredContent.items;
      ids.task = items.find((t) => t.name === 'Daily ticket digest')?.id;
      ids.slowTask = items.find((t) => t.name === 'Slow nightly export')?.id;
      assert(ids.task, 'demo task "Daily ticket digest" missing');
    });
    await check('get_task', async () => void (await call(client, 'get_task', { task_id: ids.task })));
    await check('run_task', async () => {
      const r = await call(client, 'run_task', { task_id: ids.task, wait_seconds: 20 });
      ids.run = r.structuredContent.id;
      assert(ids.run, 'run_task returned no run id');
      return { status: r.structuredContent.status, final: r.structuredContent.final };
    });
    if (ids.slowTask) {
      await check('run_task on a slow task: progress while waiting, then a non-final run', async () => {
        const progress = [];
        const r = await callTool(
          client,
          { name: 'run_task', arguments: { task_id: ids.slowTask, wait_seconds: 3 } },
          { timeout: CALL_TIMEOUT_MS, onprogress: (p) => progress.push(p) },
        );
        assert(!r.isError, `run_task failed: ${textOf(r).slice(0, 500)}`);
        assert(r.structuredContent?.final === false, `expected a running run: ${textOf(r).slice(0, 300)}`);
        assert(progress.length > 0, 'no progress notification while run_task waited');
        ids.slowRun = r.structuredContent.id;
        return { progress: progress.length, status: r.structuredContent.status };
      });
      if (has('cancel_task_run') && ids.slowRun) {
        await check('cancel_task_run', async () =>
          void (await call(client, 'cancel_task_run', { run_id: ids.slowRun })),
        );
      }
    }
    await check('get_task_run', async () => void (await call(client, 'get_task_run', { run_id: ids.run })));
    await check('list_task_runs', async () =>
      void (await call(client, 'list_task_runs', { task_id: ids.task })),
    );

    await check('list_datasets', async () => {
      const r = await call(client, 'list_datasets', {});
      ids.dataset = r.structuredContent.items.find((d) => d.name === 'Product FAQ')?.id;
      assert(ids.dataset, 'demo dataset "Product FAQ" missing');
    });
    await check('get_dataset', async () => void (await call(client, 'get_dataset', { dataset_id: ids.dataset })));
    await check('query_dataset', async () =>
      void (await call(client, 'query_dataset', { dataset_id: ids.dataset, query: 'refund', top_k: 3 })),
    );
    await check('query_dataset (fields and filter sent as JSON strings)', async () => {
      // Some clients send an object or array argument as a JSON string; the issue says: accept it.
      const r = await call(client, 'query_dataset', {
        dataset_id: ids.dataset,
        query: 'warranty',
        fields: '["question"]',
        filter: '{"product": "Acme Widget"}',
        top_k: 2,
      });
      return { total: r.structuredContent.total };
    });
    if (has('export_dataset')) {
      await check('export_dataset', async () => {
        const r = await call(client, 'export_dataset', { dataset_id: ids.dataset, preview: 2 });
        ids.exportUri = r.structuredContent.uri;
      });
    }
    if (has('list_api_keys')) {
      await check('list_api_keys', async () => {
        const r = await call(client, 'list_api_keys', {});
        ids.key = r.structuredContent.items?.[0]?.id;
        assert(ids.key, 'no API key listed');
      });
      await check('get_api_key', async () => void (await call(client, 'get_api_key', { key_id: ids.key })));
      await check('get_api_key_usage', async () =>
        void (await call(client, 'get_api_key_usage', { key_id: ids.key })),
      );
    }

    await check('bad arguments are a clean refusal', async () => {
      // Either a JSON-RPC invalid-params error or an isError result; never a crash or a hang.
      try {
        const r = await client.callTool({ name: 'get_agent', arguments: {} });
        assert(r.isError === true, 'get_agent without agent_id was not refused');
      } catch (error) {
        assert(error?.code === -32602, `unexpected error ${error?.code}: ${error?.message}`);
      }
    });
    await check('bad arguments: the error reads as advice, not validator internals', async () => {
      // The brief: bad input gets a clear, actionable error. Pydantic's raw report (model class
      // names, docs URLs) is what a model sees when the server lets the SDK's validation through.
      const r = await client.callTool({ name: 'get_agent', arguments: {} });
      const text = textOf(r);
      assert(!/errors\.pydantic\.dev|Arguments\b|\[type=/.test(text), `raw validator text: ${text}`);
    });
    await check('unknown id is an isError result naming the id', async () => {
      const r = await call(client, 'get_agent', { agent_id: 'agt_0000000000000000' }, { expectError: true });
      assert(textOf(r).includes('agt_0000000000000000'), `error does not name the id: ${textOf(r)}`);
    });

    if (has('delete_agent')) {
      await check('delete_agent without confirmation is refused', async () => {
        const r = await call(client, 'delete_agent', { agent_id: ids.spareAgent }, { expectError: true });
        await call(client, 'get_agent', { agent_id: ids.spareAgent });
        return { text: textOf(r).slice(0, 200) };
      });
      await check('delete_agent with a wrong confirm is refused', async () => {
        await call(client, 'delete_agent', { agent_id: ids.spareAgent, confirm: 'yes' }, { expectError: true });
        await call(client, 'get_agent', { agent_id: ids.spareAgent });
      });
    }

    await check('resources/list', async () => {
      const r = await client.listResources();
      return { uris: r.resources.map((x) => x.uri) };
    });
    await check('resources/templates/list', async () => {
      const r = await client.listResourceTemplates();
      ids.templates = r.resourceTemplates.map((t) => t.uriTemplate);
      assert(ids.templates.length > 0, 'no resource templates');
      return { templates: ids.templates };
    });
    const reads = [
      ['genispace://agents', true],
      [`genispace://agents/${ids.chatAgent}`, ids.chatAgent],
      [`genispace://tasks/${ids.task}/runs`, ids.task],
      [`genispace://runs/${ids.run}`, ids.run],
      [`genispace://datasets/${ids.dataset}/export?format=jsonl`, ids.dataset],
    ];
    if (ids.exportUri) reads.push([ids.exportUri, true]);
    for (const [uri, ready] of reads) {
      if (!ready) continue;
      await check(`resources/read ${uri}`, async () => {
        const r = await client.readResource({ uri });
        assert(r.contents.length > 0, 'no contents');
        const c = r.contents[0];
        assert(typeof c.text === 'string' || typeof c.blob === 'string', 'no text or blob');
        return { mimeType: c.mimeType, chars: (c.text ?? c.blob).length };
      });
    }
    await check('completion/complete agent_id', async () => {
      const template = (ids.templates ?? []).find((t) => t.startsWith('genispace://agents/'));
      assert(template, 'no agent template');
      const r = await client.complete({
        ref: { type: 'ref/resource', uri: template },
        argument: { name: 'agent_id', value: ids.chatAgent.slice(0, 5) },
      });
      assert(r.completion.values.includes(ids.chatAgent), `completion lacks ${ids.chatAgent}: ${JSON.stringify(r.completion)}`);
      return { values: r.completion.values.length };
    });

    await check('prompts/list + prompts/get', async () => {
      const r = await client.listPrompts();
      const got = [];
      for (const p of r.prompts) {
        const args = {};
        for (const a of p.arguments ?? []) {
          if (/task/.test(a.name)) args[a.name] = ids.task;
          else if (/dataset/.test(a.name)) args[a.name] = ids.dataset;
          else if (/agent/.test(a.name)) args[a.name] = ids.chatAgent;
          else if (a.required) args[a.name] = 'How do refunds work?';
        }
        const g = await client.getPrompt({ name: p.name, arguments: args });
        assert(g.messages.length > 0, `${p.name}: no messages`);
        got.push(p.name);
      }
      return { prompts: got };
    });
  } finally {
    await client.close().catch(() => {});
  }

  // Over stdio each connection starts its own server (and sandbox, with its own ids).
  const rediscoverSpare = async (c) => {
    const r = await call(c, 'list_agents', {});
    ids.spareAgent = r.structuredContent.items.find((a) => a.name === 'Echo Chat')?.id;
    assert(ids.spareAgent, 'demo agent "Echo Chat" missing');
  };

  // Elicitation: a client that can ask the user; declining must change nothing, accepting deletes.
  if (tools.has('delete_agent') && ids.spareAgent) {
    await check('delete_agent with elicitation declined is refused', async () => {
      const c = await connect(sdk, { elicit: { action: 'decline' } });
      try {
        await rediscoverSpare(c);
        // Refused either as an isError result or as a plain result saying nothing was deleted.
        const r = await c.callTool({ name: 'delete_agent', arguments: { agent_id: ids.spareAgent } });
        assert(r.isError === true || r.structuredContent?.deleted === false, `not refused: ${textOf(r)}`);
        await call(c, 'get_agent', { agent_id: ids.spareAgent });
      } finally {
        await c.close().catch(() => {});
      }
    });
    await check('delete_agent with elicitation accepted deletes', async () => {
      const c = await connect(sdk, { elicit: { action: 'accept', content: { confirm: true } } });
      try {
        await rediscoverSpare(c);
        await call(c, 'delete_agent', { agent_id: ids.spareAgent });
        await call(c, 'get_agent', { agent_id: ids.spareAgent }, { expectError: true });
      } finally {
        await c.close().catch(() => {});
      }
    });
  }

  report.ok = checks.every((c) => c.ok);
  report.passed = checks.filter((c) => c.ok).length;
  report.failed = checks.filter((c) => !c.ok).length;
  report.checks = checks;
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(report.ok ? 0 : 1);
}

main().catch((error) => {
  process.stdout.write(
    `${JSON.stringify({ sdk: SDK, era: ERA, transport: TRANSPORT, ok: false, fatal: String(error?.stack ?? error), checks }, null, 2)}\n`,
  );
  process.exit(2);
});
