// The ACP tests' client: drives a real `agent acp` process with the official Agent Client Protocol SDK through the
// steps of a scenario file, and prints what happened as JSON. Every line either side wrote is recorded in the
// scenario's transcript file, so the tests can validate each message the agent sent against the protocol's schema.
//
//   node client.mjs scenario.json
//
// scenario: {
//   agent: { command, args, cwd, env },          the agent process
//   transcript: "/path/transcript.ndjson",       one {"from": "agent"|"client", "line": "..."} per line written
//   elicitation: [{ action: "accept", content: { answer: "yes" } }, ...],  answers to elicitation/create, in order
//   permission: ["allow_once", ...],             answers to session/request_permission, in order (optionId kinds;
//                                                "cancelled" answers cancelled; "ignore" never answers); the last repeats
//   steps: [                                     run in order; "$name" in params is a value an earlier step saved
//     { op: "initialize", params? },
//     { op: "request", method, params, save?: { name: "path.in.result" } },
//     { op: "prompt", session, text | prompt, cancelAfter?: "tool_call" | "agent_message_chunk" },
//     { op: "raw", line, expectError?: true },    write a raw line to the agent's stdin, wait for the answer of id null
//     { op: "end" }                               close stdin, wait for the process to exit
//     { op: "waitUpdate", session, kind }         wait for a session/update of that kind (already received or next);
//                                                 the entry's result is the update
//     { op: "promptAndLeave", session, text }     send a prompt, wait for its first session/request_permission, then
//                                                 close stdin without answering; the entry's result is the exit code
//   ]
// }
// output: { steps: [{ op, method?, result?, error?, updates? }], permissionRequests, exitCode, stderr }
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { PassThrough, Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";

const scenario = JSON.parse(readFileSync(process.argv[2], "utf8"));
const saved = {};
const output = { steps: [], permissionRequests: [], exitCode: null, stderr: "" };
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
      case "end":
        break;
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
}).catch((error) => {
  if (!left) throw error;
});

toAgent.end();
output.exitCode = await exited;
process.stdout.write(JSON.stringify(output) + "\n");
