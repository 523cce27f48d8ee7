// The ACP tests' client: drives a real `agent acp` process with the official Agent Client Protocol SDK through the
// steps of a scenario file, and prints what happened as JSON. Every line either side wrote is recorded in the
// scenario's transcript file, so the tests can validate each message the agent sent against the protocol's schema.
//
//   node client.mjs scenario.json
//
// scenario: {
//   agent: { command, args, cwd, env },          the agent process
//   transcript: "/path/transcript.ndjson",       one {"from": "agent"|"client", "line": "..."} per line written
//   files: { "/abs/path": "text" },              the editor's buffers: answers fs/read_text_file from them (an unknown
//                                                path answers resource-not-found) and records fs/write_text_file into
//                                                them (announce the fs capability in the initialize step's params)

//   elicitation: [{ action: "accept", content: { answer: "yes" } }, ...],  answers to elicitation/create, in order
//   permission: ["allow_once", ...],             answers to session/request_permission, in order (optionId kinds;
//                                                "cancelled" answers cancelled; "ignore" never answers); the last repeats
//   steps: [                                     run in order; "$name" in params is a value an earlier step saved
//     { op: "initialize", params? },
//     { op: "request", method, params, save?: { name: "path.in.result" } },
//     { op: "prompt", session, text | prompt, cancelAfter?: "tool_call" | "agent_message_chunk" },
//     { op: "raw", line, expectError?: true },    write a raw line to the agent's stdin, wait for the answer of id null
//     { op: "promptDetached", session, text, until: "agent_message_chunk" },  start a prompt, go on at that update

//     { op: "startPrompt", name, session, text | prompt, waitFor: "agent_message_chunk" }
//                                                 start a prompt and go on once an update of kind waitFor (or its answer) came
//     { op: "awaitPrompt", name },                wait for a started prompt's answer; recorded as a "prompt" step
//     { op: "end" }                               close stdin, wait for the process to exit
//     { op: "collect", method, params, session, save? }   a request (session/load) whose result comes after updates
//                                                of `session`: the step records them as its updates
//     { op: "abandon", session, text, after }     send a prompt, and once an update of kind `after` arrives for
//                                                `session`, close stdin mid-turn (the editor went away) and wait for
//                                                the process to exit; the last step
//     { op: "during", session, text, after, method, params }   send a prompt, and once an update of kind `after`
//                                                arrives, send the request `method` (session/close); the step records
//                                                the request's result or error and the prompt's as `prompt`

//     { op: "waitUpdate", session, kind }         wait for a session/update of that kind (already received or next);
//                                                 the entry's result is the update
//     { op: "promptAndLeave", session, text }     send a prompt, wait for its first session/request_permission, then
//                                                 close stdin without answering; the entry's result is the exit code
//   ]
// }
// output: { steps: [{ op, method?, result?, error?, updates? }], permissionRequests, fileReads: [path],
//           fileWrites: [{ path, content }], exitCode, stderr }
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { PassThrough, Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";

const scenario = JSON.parse(readFileSync(process.argv[2], "utf8"));
const saved = {};
const output = { steps: [], permissionRequests: [], fileReads: [], fileWrites: [], exitCode: null, stderr: "" };
const buffers = { ...(scenario.files ?? {}) };
writeFileSync(scenario.transcript, "");

const child = spawn(scenario.agent.command, scenario.agent.args, {
  cwd: scenario.agent.cwd,
  env: { ...process.env, ...scenario.agent.env },
  stdio: ["pipe", "pipe", "pipe"],
});
child.stderr.on("data", (chunk) => (output.stderr += chunk.toString()));
const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));

// Record each line either side writes.
function recorder(from) {
  let pending = "";
  return (chunk) => {
    pending += chunk.toString();
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      appendFileSync(scenario.transcript, JSON.stringify({ from, line: pending.slice(0, newline) }) + "\n");
      pending = pending.slice(newline + 1);
    }
  };
}
const fromAgent = new PassThrough();
child.stdout.on("data", recorder("agent"));
child.stdout.pipe(fromAgent);
const toAgent = new PassThrough();
toAgent.on("data", recorder("client"));
toAgent.pipe(child.stdin);
child.stdin.on("error", () => {});

// Raw lines answered with id null (a malformed message) resolve the waiting raw step.
const nullAnswers = [];
let nullWaiter = null;
child.stdout.on("data", (chunk) => {
  for (const line of chunk.toString().split("\n")) {
    if (!line.includes('"id":null')) continue;
    try {
      const message = JSON.parse(line);
      if (message.id === null && message.error) {
        nullAnswers.push(message.error);
        nullWaiter?.();
      }
    } catch {}
  }
});

const updates = new Map();
const updateWaiters = [];
const started = {};

const allUpdates = [];
let updateWaiter = null;
let permissionWaiter = null;
let left = false; // promptAndLeave closed the connection on purpose
let cancelOn = null;
const permissionAnswers = [...(scenario.permission ?? [])];

function substitute(value) {
  if (typeof value === "string" && value.startsWith("$")) return saved[value.slice(1)] ?? value;
  if (Array.isArray(value)) return value.map(substitute);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
  return value;
}

function pick(result, path) {
  return path.split(".").reduce((v, key) => (v == null ? v : v[key]), result);
}

const app = acp
  .client({ name: "agenthost-tests" })
  .onNotification(acp.methods.client.session.update, ({ params }) => {
    const list = updates.get(params.sessionId) ?? [];
    list.push(params.update);
    allUpdates.push(params);
    updateWaiter?.();
    updates.set(params.sessionId, list);
    for (const waiter of updateWaiters.filter((w) => w.kind === params.update.sessionUpdate && w.session === params.sessionId)) {
      updateWaiters.splice(updateWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (cancelOn && cancelOn.kind === params.update.sessionUpdate && cancelOn.session === params.sessionId) {
      const target = cancelOn;
      cancelOn = null;
      target.cancel();
    }
  })
  .onRequest(acp.methods.client.session.requestPermission, async ({ params }) => {
    output.permissionRequests.push(params);
    permissionWaiter?.();
    const answer = permissionAnswers.length > 1 ? permissionAnswers.shift() : (permissionAnswers[0] ?? "reject_once");
    if (answer === "ignore") return new Promise(() => {});
    if (answer === "cancelled") return { outcome: { outcome: "cancelled" } };
    const option = params.options.find((o) => o.kind === answer);
    if (!option) throw new Error(`no option of kind ${answer} in ${JSON.stringify(params.options)}`);
    return { outcome: { outcome: "selected", optionId: option.optionId } };
  })
  .onRequest(acp.methods.client.fs.readTextFile, async ({ params }) => {
    output.fileReads.push(params.path);
    if (!(params.path in buffers)) throw acp.RequestError.resourceNotFound(params.path);
    return { content: buffers[params.path] };
  })
  .onRequest(acp.methods.client.fs.writeTextFile, async ({ params }) => {
    output.fileWrites.push({ path: params.path, content: params.content });
    buffers[params.path] = params.content;
    return {};
  });

// Answers to elicitation/create (ask_user questions), in order: { action, content? } as the schema's response; the
// last repeats. The requests are recorded in output.elicitations.
const elicitationAnswers = [...(scenario.elicitation ?? [])];
output.elicitations = [];
app.onRequest(acp.methods.client.elicitation.create, async ({ params }) => {
  output.elicitations.push(params);
  return elicitationAnswers.length > 1 ? elicitationAnswers.shift() : (elicitationAnswers[0] ?? { action: "decline" });
});

const stream = acp.ndJsonStream(Writable.toWeb(toAgent), Readable.toWeb(fromAgent));

async function record(step, method, run) {
  const entry = { op: step.op, method };
  try {
    entry.result = await run();
  } catch (error) {
    entry.error = { code: error.code ?? null, message: error.message, data: error.data ?? null };
  }
  output.steps.push(entry);
  return entry;
}

// An abandon step ends the connection on purpose: the SDK's "connection closed" is then expected.
let abandoning = null;
await app.connectWith(stream, async (ctx) => {
  for (const step of scenario.steps) {
    switch (step.op) {
      case "initialize": {
        const params = substitute(step.params ?? { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
        await record(step, "initialize", () => ctx.request(acp.methods.agent.initialize, params));
        break;
      }
      case "request": {
        const entry = await record(step, step.method, () => ctx.request(step.method, substitute(step.params ?? {})));
        for (const [name, path] of Object.entries(step.save ?? {})) saved[name] = pick(entry.result, path);
        break;
      }
      case "notify":
        await ctx.notify(step.method, substitute(step.params ?? {}));
        output.steps.push({ op: "notify", method: step.method });
        break;
      case "prompt": {
        const session = substitute(step.session);
        updates.set(session, []);
        const prompt = step.prompt ? substitute(step.prompt) : [{ type: "text", text: step.text }];
        if (step.cancelAfter) {
          cancelOn = { kind: step.cancelAfter, session, cancel: () => ctx.notify(acp.methods.agent.session.cancel, { sessionId: session }) };
        }
        const entry = await record(step, "session/prompt", () => ctx.request(acp.methods.agent.session.prompt, { sessionId: session, prompt }));
        entry.updates = updates.get(session);
        break;
      }
      case "raw": {
        const before = nullAnswers.length;
        const answered = new Promise((resolve) => (nullWaiter = () => nullAnswers.length > before && resolve()));
        toAgent.write(step.line + "\n");
        await answered;
        output.steps.push({ op: "raw", error: nullAnswers[before] });
        break;
      }
      case "promptDetached": {
        // Starts a prompt and goes on once an update of kind `until` arrived, without waiting for its answer (so that
        // a following "end" closes stdin mid-turn).
        const session = substitute(step.session);
        updates.set(session, []);
        const arrived = new Promise((resolve) => (cancelOn = { kind: step.until, session, cancel: resolve }));
        ctx.request(acp.methods.agent.session.prompt, { sessionId: session, prompt: [{ type: "text", text: step.text }] }).catch(() => {});
        await arrived;
        output.steps.push({ op: "promptDetached", updates: [...updates.get(session)] });
        break;
      }

      case "startPrompt": {
        const session = substitute(step.session);
        updates.set(session, []);
        const prompt = step.prompt ? substitute(step.prompt) : [{ type: "text", text: step.text }];
        const arrived = new Promise((resolve) => updateWaiters.push({ session, kind: step.waitFor, resolve }));
        const entry = { op: "prompt", method: "session/prompt" };
        started[step.name] = ctx.request(acp.methods.agent.session.prompt, { sessionId: session, prompt }).then(
          (result) => (entry.result = result),
          (error) => (entry.error = { code: error.code ?? null, message: error.message, data: error.data ?? null }),
        ).then(() => ({ ...entry, updates: updates.get(session) }));
        await Promise.race([arrived, started[step.name]]);
        output.steps.push({ op: "startPrompt", name: step.name });
        break;
      }
      case "awaitPrompt":
        output.steps.push(await started[step.name]);
        break;
      case "end":
        break;
      case "collect": {
        const session = substitute(step.session);
        updates.set(session, []);
        const entry = await record(step, step.method, () => ctx.request(step.method, substitute(step.params ?? {})));
        for (const [name, path] of Object.entries(step.save ?? {})) saved[name] = pick(entry.result, path);
        entry.updates = updates.get(session);
        break;
      }
      case "during": {
        const session = substitute(step.session);
        updates.set(session, []);
        const reached = new Promise((resolve) => (cancelOn = { kind: step.after, session, cancel: resolve }));
        const prompt = record({ op: "prompt" }, "session/prompt", () =>
          ctx.request(acp.methods.agent.session.prompt, { sessionId: session, prompt: [{ type: "text", text: step.text }] }));
        await reached;
        const entry = await record(step, step.method, () => ctx.request(step.method, substitute(step.params ?? {})));
        output.steps.pop();
        entry.prompt = await prompt;
        output.steps.pop();
        entry.updates = updates.get(session);
        output.steps.push(entry);
        break;
      }
      case "abandon": {
        const session = substitute(step.session);
        updates.set(session, []);
        const reached = new Promise((resolve) => (cancelOn = { kind: step.after, session, cancel: resolve }));
        const pending = ctx.request(acp.methods.agent.session.prompt, { sessionId: session, prompt: [{ type: "text", text: step.text }] });
        pending.catch(() => {});
        abandoning = (async () => {
          await reached;
          toAgent.end();
          const exitCode = await exited;
          output.steps.push({ op: "abandon", updates: [...updates.get(session)], exitCode });
        })();
        await abandoning;
        break;
      }
      case "waitUpdate": {
        const session = substitute(step.session);
        const find = () => allUpdates.find((u) => u.sessionId === session && u.update.sessionUpdate === step.kind);
        await new Promise((resolve) => {
          updateWaiter = () => find() && resolve();
          updateWaiter();
        });
        updateWaiter = null;
        output.steps.push({ op: "waitUpdate", result: find().update });
        break;
      }
      case "promptAndLeave": {
        const session = substitute(step.session);
        const asked = new Promise((resolve) => (permissionWaiter = resolve));
        const prompt = ctx.request(acp.methods.agent.session.prompt, { sessionId: session, prompt: [{ type: "text", text: step.text }] });
        prompt.catch(() => {});
        await asked;
        permissionWaiter = null;
        left = true;
        toAgent.end();
        output.steps.push({ op: "promptAndLeave", result: { exitCode: await exited } });
        break;
      }
      default:
        throw new Error(`unknown step ${step.op}`);
    }
  }
}).catch(async (error) => {
  // The connection closed on purpose (an abandon or promptAndLeave step) is not a failure of the scenario.
  if (abandoning) return abandoning;
  if (!left) throw error;
});

toAgent.end();
output.exitCode = await exited;
process.stdout.write(JSON.stringify(output) + "\n");
